import { spawn } from "node:child_process";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { ExecContext, ExecRequest, Executor, StepResult } from "./executor.js";
import { showCommand } from "./quote.js";
import { type Ending, notStarted, StepWatch } from "./step-watch.js";

export interface LocalExecutorOptions {
  log: Logger;
  clock: Clock;
  /** Working directory of the commands (default: the bot's). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  progressEveryMs?: number;
  tickMs?: number;
  killGraceMs?: number;
}

/**
 * Runs steps on the bot's own host: spawn with the argument vector, no shell,
 * in a process group of its own so a timeout ends the command and its children.
 */
export class LocalExecutor implements Executor {
  constructor(private readonly o: LocalExecutorOptions) {}

  async execute(req: ExecRequest, ctx: ExecContext): Promise<StepResult> {
    const [bin, ...args] = req.argv;
    if (!bin) return notStarted(ctx, "empty command");
    const where = "this host";
    const watch = new StepWatch(ctx, {
      clock: this.o.clock,
      where,
      progressEveryMs: this.o.progressEveryMs,
      tickMs: this.o.tickMs,
    });
    watch.note(`local: ${showCommand(req.argv)}`);
    const grace = this.o.killGraceMs ?? 2000;
    return new Promise<StepResult>((resolve) => {
      const ending: Ending = {};
      const timers: NodeJS.Timeout[] = [];
      let done = false;
      const child = spawn(bin, args, {
        cwd: this.o.cwd,
        env: this.o.env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
        shell: false,
      });
      const finish = () => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        ctx.signal?.removeEventListener("abort", onAbort);
        void watch.finish(ending).then(resolve);
      };
      const group = (sig: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, sig);
        } catch {
          // already gone
        }
      };
      const stop = (why: "timeout" | "abort") => {
        if (why === "timeout") ending.timedOutAfter = req.timeoutMs;
        else ending.lost = "the bot stopped the command at shutdown";
        ending.stopped = "sent TERM";
        group("SIGTERM");
        timers.push(
          setTimeout(() => {
            ending.stopped = "sent TERM, then KILL";
            group("SIGKILL");
          }, grace),
        );
      };
      const onAbort = () => stop("abort");
      child.once("error", (e: NodeJS.ErrnoException) => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        const why = e.code === "ENOENT" ? "not found" : e.code === "EACCES" ? "not executable" : e.message;
        this.o.log.warn({ command: bin, err: e.message }, "local step could not start");
        void notStarted(ctx, `cannot run ${bin} on ${where}: ${why}`).then(resolve);
      });
      child.once("spawn", () => {
        watch.start();
        if (req.timeoutMs) timers.push(setTimeout(() => stop("timeout"), req.timeoutMs));
        if (ctx.signal?.aborted) onAbort();
        else ctx.signal?.addEventListener("abort", onAbort, { once: true });
      });
      child.stdout.on("data", watch.stream());
      child.stderr.on("data", watch.stream());
      child.once("close", (code, signal) => {
        if (typeof code === "number") ending.exit = code;
        else if (signal) ending.signal = signal;
        finish();
      });
    });
  }
}
