import type { Duplex } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import type { HostSpec } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { ExecContext, ExecRequest, Executor, StepResult } from "./executor.js";
import { shellCommand, showCommand } from "./quote.js";
import { connect, SshError } from "./ssh-connect.js";
import { type Ending, notStarted, StepWatch } from "./step-watch.js";

/** Exit statuses that arrived before run() attached its listener (see openChannel). */
const earlyExit = new WeakMap<ClientChannel, { code: number | null; signal?: string }>();

export interface SshExecutorOptions {
  hosts: Record<string, HostSpec>;
  log: Logger;
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  progressEveryMs?: number;
  tickMs?: number;
  /** After a timeout's TERM, how long the command gets before KILL and closing the session. */
  killGraceMs?: number;
  readyTimeoutMs?: number;
}

/**
 * Runs steps over SSH (ssh2). One connection per host and user, opened on first
 * use, kept alive, reused by every later step; dropped when it closes and opened
 * again on the next step. The argv is single-quoted for the remote login shell.
 */
export class SshExecutor implements Executor {
  private readonly pool = new Map<string, Promise<Client>>();
  private closed = false;
  /** Ends handshakes still in progress when the executor closes. */
  private readonly closing = new AbortController();

  constructor(private readonly o: SshExecutorOptions) {}

  /** The pooled connection to a host (through its jump host, if it has one). */
  connection(name: string, user?: string): Promise<Client> {
    const spec = this.o.hosts[name];
    if (!spec) return Promise.reject(new SshError("config", `there is no host "${name}" in hosts:`));
    const u = user ?? spec.user;
    const key = `${name}\0${u}`;
    const have = this.pool.get(key);
    if (have) return have;
    const p = (async () => {
      const sock = spec.jump ? await this.tunnel(spec.jump, name, spec) : undefined;
      const client = await connect({
        name,
        spec,
        user: u,
        env: this.o.env ?? process.env,
        sock,
        readyTimeoutMs: this.o.readyTimeoutMs,
        signal: this.closing.signal,
      });
      client.on("error", (e: Error) =>
        this.o.log.warn({ host: name, err: e.message }, "ssh connection error"),
      );
      client.on("close", () => {
        if (this.pool.get(key) === p) this.pool.delete(key);
      });
      if (this.closed) client.end();
      return client;
    })();
    this.pool.set(key, p);
    p.catch(() => {
      if (this.pool.get(key) === p) this.pool.delete(key);
    });
    return p;
  }

  private async tunnel(jump: string, name: string, spec: HostSpec): Promise<Duplex> {
    let via: Client;
    try {
      via = await this.connection(jump);
    } catch (e) {
      const err = e as SshError;
      throw new SshError(err.kind ?? "connect", `via jump host ${jump}: ${err.message}`);
    }
    return new Promise((resolve, reject) => {
      via.forwardOut("127.0.0.1", 0, spec.host, spec.port, (err, stream) => {
        if (err)
          reject(
            new SshError(
              "connect",
              `jump host ${jump} could not open a connection to ${name} (${spec.host}:${spec.port}): ${err.message}`,
            ),
          );
        else resolve(stream);
      });
    });
  }

  private drop(name: string, user?: string): void {
    const spec = this.o.hosts[name];
    const key = `${name}\0${user ?? spec?.user}`;
    const p = this.pool.get(key);
    this.pool.delete(key);
    void p?.then((c) => c.end()).catch(() => {});
  }

  private openChannel(client: Client, cmd: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      client.exec(cmd, (err, stream) => {
        if (err) return reject(err);
        // A quick command's exit status can come in the same read as the exec reply, before
        // run() listens (run starts a few promise turns later): keep it from the start.
        stream.once("exit", (code: number | null, signal?: string) =>
          earlyExit.set(stream, { code, signal }),
        );
        // No step feeds a command's stdin: close it (EOF), so a command that reads stdin
        // (`grep pattern -`, `cat`) ends at once instead of hanging until its timeout.
        stream.end();
        resolve(stream);
      });
    });
  }

  async execute(req: ExecRequest, ctx: ExecContext): Promise<StepResult> {
    const name = req.host;
    if (!name) return notStarted(ctx, "the SSH executor needs a host");
    let cmd: string;
    try {
      cmd = shellCommand(req.argv);
    } catch (e) {
      return notStarted(ctx, `cannot build the command: ${(e as Error).message}`);
    }
    const target = `${req.user ?? this.o.hosts[name]?.user}@${name}`;
    let stream: ClientChannel | undefined;
    let client: Client | undefined;
    // A pooled connection may have died quietly: one fresh try, safe because nothing started yet.
    for (let attempt = 0; attempt < 2 && !stream; attempt++) {
      try {
        client = await unlessAborted(this.connection(name, req.user), ctx.signal);
        stream = await unlessAborted(this.openChannel(client, cmd), ctx.signal, (late) => late.close());
      } catch (e) {
        if (e === ABORTED) {
          this.o.log.info({ host: name, job: ctx.jobId }, "remote step not started: shutting down");
          return notStarted(ctx, `the bot is shutting down; nothing was started on ${name}`);
        }
        if (e instanceof SshError) {
          this.o.log[e.kind === "hostkey" ? "error" : "warn"]({ host: name, kind: e.kind }, e.message);
          return notStarted(ctx, e.kind === "hostkey" ? `SECURITY: ${e.message}` : e.message);
        }
        this.drop(name, req.user);
        if (attempt === 1)
          return notStarted(ctx, `could not start the command on ${name}: ${(e as Error).message}`);
      }
    }
    if (!stream || !client) return notStarted(ctx, `could not start the command on ${name}`);
    this.o.log.info({ host: name, job: ctx.jobId, command: showCommand(req.argv) }, "remote step started");
    const watch = new StepWatch(ctx, {
      clock: this.o.clock,
      where: name,
      progressEveryMs: this.o.progressEveryMs,
      tickMs: this.o.tickMs,
    });
    watch.note(`ssh ${target}: ${showCommand(req.argv)}`);
    watch.start();
    // A step without its own timeout gets the host's (hosts.X.timeout, 10m by default).
    const timeoutMs = req.timeoutMs ?? this.o.hosts[name]?.timeout;
    return this.run(stream, client, watch, { ...req, timeoutMs }, ctx);
  }

  private run(
    stream: ClientChannel,
    client: Client,
    watch: StepWatch,
    req: ExecRequest,
    ctx: ExecContext,
  ): Promise<StepResult> {
    const grace = this.o.killGraceMs ?? 2000;
    const ending: Ending = {};
    const timers: NodeJS.Timeout[] = [];
    return new Promise<StepResult>((resolve) => {
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        client.removeListener("close", onLost);
        ctx.signal?.removeEventListener("abort", onAbort);
        void watch.finish(ending).then(resolve);
      };
      const onLost = () => {
        ending.lost ??= `the connection to ${req.host} was lost while the command ran`;
        end();
      };
      /** TERM, then after a grace KILL and close the session; give up waiting after another grace. */
      const stop = (why: "timeout" | "abort") => {
        if (why === "timeout") ending.timedOutAfter = req.timeoutMs;
        else ending.lost = "the bot stopped the command at shutdown";
        ending.stopped = "sent TERM";
        stream.signal("TERM");
        timers.push(
          setTimeout(() => {
            ending.stopped =
              "sent TERM, then KILL, and closed the session; the command may still run — check";
            stream.signal("KILL");
            stream.close();
            // sshd confirms the close only once the command's output is closed: don't wait long for it.
            timers.push(setTimeout(end, Math.min(grace, 1000)));
          }, grace),
        );
      };
      const onAbort = () => stop("abort");
      stream.on("data", watch.stream());
      stream.stderr.on("data", watch.stream());
      const onExit = (code: number | null, signal?: string) => {
        if (typeof code === "number") ending.exit = code;
        else if (signal) ending.signal = signal;
      };
      const early = earlyExit.get(stream);
      if (early) onExit(early.code, early.signal);
      else stream.on("exit", onExit);
      stream.on("close", end);
      client.once("close", onLost);
      if (req.timeoutMs) timers.push(setTimeout(() => stop("timeout"), req.timeoutMs));
      if (ctx.signal?.aborted) onAbort();
      else ctx.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    const all = [...this.pool.values()];
    this.pool.clear();
    await Promise.allSettled(all.map((p) => p.then((c) => c.end())));
  }
}

const ABORTED = Symbol("aborted");

/**
 * p, or ABORTED thrown as soon as the signal fires (shutdown): a step still
 * connecting gives up at once instead of holding shutdown for the handshake
 * timeout. What p yields later is handed to `late` (a channel opened too late is closed).
 */
function unlessAborted<T>(p: Promise<T>, signal?: AbortSignal, late?: (v: T) => void): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.then(late, () => {});
    return Promise.reject(ABORTED);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.then(late, () => {});
      reject(ABORTED);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
