import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "irc-framework";
import { freePort } from "../../src/infra/redis.js";
import { type RunningServer, requireBinary, spawnServer } from "./servers.js";

/** A self-signed certificate for 127.0.0.1 in dir (cert.pem, key.pem), made with Debian's openssl. */
export function selfSignedCert(dir: string, cn = "127.0.0.1"): { cert: string; key: string } {
  const openssl = requireBinary("openssl", "openssl");
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    openssl,
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

/**
 * Debian's ngircd on a free loopback port, with a minimal config in a temp
 * folder. penalties: false sets MaxPenaltyTime = 0 (no flood throttling) for
 * tests that are not about flooding; true keeps ngircd's defaults.
 */
export interface NgircdOptions {
  penalties?: boolean;
  /** Serve TLS (a fresh self-signed certificate) on the port instead of plain text. */
  tls?: boolean;
  port?: number;
  dir?: string;
}

export interface Ngircd extends RunningServer {
  host: string;
  /** Starts it again on the same port and config (after kill()). */
  restart(): Promise<Ngircd>;
}

export async function startNgircd(o: NgircdOptions = {}): Promise<Ngircd> {
  const bin = requireBinary("ngircd", "ngircd");
  const plainPort = o.tls ? await freePort() : undefined;
  const srv = await spawnServer(
    bin,
    (port, dir) => {
      if (o.tls) selfSignedCert(dir);
      const include = join(dir, "conf.d");
      mkdirSync(include, { recursive: true });
      const conf = join(dir, "ngircd.conf");
      writeFileSync(
        conf,
        [
          "[Global]",
          "Name = irc.test.invalid",
          "Info = changebot test server",
          "Listen = 127.0.0.1",
          `Ports = ${plainPort ?? port}`,
          `MotdFile = ${join(dir, "motd")}`,
          "[Limits]",
          "MaxConnectionsIP = 0",
          "MaxJoins = 0",
          "PingTimeout = 120",
          "PongTimeout = 20",
          ...(o.penalties ? [] : ["MaxPenaltyTime = 0"]),
          "[Options]",
          "PAM = no",
          "Ident = no",
          "DNS = no",
          `IncludeDir = ${include}`,
          ...(o.tls
            ? [
                "[SSL]",
                `CertFile = ${join(dir, "cert.pem")}`,
                `KeyFile = ${join(dir, "key.pem")}`,
                `Ports = ${port}`,
              ]
            : []),
          "",
        ].join("\n"),
      );
      writeFileSync(join(dir, "motd"), "changebot test server\n");
      return ["-n", "-f", conf];
    },
    { port: o.port, dir: o.dir, keepDir: !!o.dir },
  );
  return {
    ...srv,
    host: "127.0.0.1",
    restart: () => startNgircd({ ...o, port: srv.port, dir: srv.dir }),
  };
}

export interface SeenLine {
  from: string;
  target: string;
  text: string;
}

/** A person on IRC: a real irc-framework client that records what it sees. */
export class IrcUser {
  readonly client: Client;
  readonly seen: SeenLine[] = [];
  /** seen, by lower-case sender: a client that has seen thousands of lines still counts them at once. */
  private readonly bySender = new Map<string, SeenLine[]>();
  readonly topics = new Map<string, string>();
  /** JOINs seen, with the account the server gave (extended-join). */
  readonly joins: { nick: string; channel: string; account?: string | false }[] = [];
  private listeners: (() => void)[] = [];

  constructor(
    readonly nick: string,
    readonly username = nick,
  ) {
    this.client = new Client();
    this.client.on("privmsg", (e: { nick: string; target: string; message: string }) =>
      this.record({ from: e.nick, target: e.target, text: e.message }),
    );
    this.client.on("notice", (e: { nick: string; target: string; message: string }) =>
      this.record({ from: e.nick, target: e.target, text: e.message }),
    );
    // Conditions may depend on any state (a nick change): re-check after every line.
    this.client.on("raw", (e: { from_server: boolean }) => {
      if (e.from_server) setImmediate(() => this.poke());
    });
    this.client.on("join", (e: { nick: string; channel: string; account?: string | false }) => {
      this.joins.push({ nick: e.nick, channel: e.channel, account: e.account });
      this.poke();
    });
    this.client.on("topic", (e: { channel: string; topic: string }) => {
      this.topics.set(e.channel.toLowerCase(), e.topic);
      this.poke();
    });
  }

  private record(l: SeenLine) {
    this.seen.push(l);
    const key = l.from.toLowerCase();
    const mine = this.bySender.get(key);
    if (mine) mine.push(l);
    else this.bySender.set(key, [l]);
    this.poke();
  }
  private poke() {
    for (const l of this.listeners.slice()) l();
  }

  async connect(port: number, extra: Record<string, unknown> = {}): Promise<this> {
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${this.nick} could not register`)), 10_000);
      this.client.once("registered", () => {
        clearTimeout(t);
        res();
      });
      this.client.once("nick in use", () => {
        clearTimeout(t);
        rej(new Error(`the nick ${this.nick} is in use`));
      });
      this.client.connect({
        host: "127.0.0.1",
        port,
        nick: this.nick,
        username: this.username,
        gecos: this.nick,
        auto_reconnect: false,
        ...extra,
      });
    });
    return this;
  }

  async join(channel: string): Promise<void> {
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${this.nick} could not join ${channel}`)), 10_000);
      const fn = (e: { nick: string; channel: string }) => {
        if (e.nick === this.client.user.nick && e.channel.toLowerCase() === channel.toLowerCase()) {
          clearTimeout(t);
          this.client.off("join", fn);
          res();
        }
      };
      this.client.on("join", fn);
      this.client.join(channel);
    });
  }

  say(target: string, text: string): void {
    this.client.say(target, text);
  }

  raw(line: string): void {
    this.client.raw(line);
  }

  /** Resolves once cond() holds, re-checked on every line or topic seen. */
  waitUntil<T>(cond: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const now = cond();
    if (now) return Promise.resolve(now);
    return new Promise((res, rej) => {
      const t = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== fn);
        rej(
          new Error(
            `${this.nick} timed out waiting for ${what}; saw:\n${this.seen.map((s) => `<${s.from}> ${s.text}`).join("\n")}`,
          ),
        );
      }, timeoutMs);
      const fn = () => {
        const v = cond();
        if (!v) return;
        clearTimeout(t);
        this.listeners = this.listeners.filter((l) => l !== fn);
        res(v);
      };
      this.listeners.push(fn);
    });
  }

  /** The first line from `from` matching re (already seen or yet to come). */
  waitForLine(from: string, re: RegExp, timeoutMs = 10_000): Promise<SeenLine> {
    return this.waitUntil(
      () => this.seen.find((s) => s.from.toLowerCase() === from.toLowerCase() && re.test(s.text)),
      `a line from ${from} matching ${re}`,
      timeoutMs,
    );
  }

  linesFrom(from: string): SeenLine[] {
    return [...(this.bySender.get(from.toLowerCase()) ?? [])];
  }

  /** How many lines from `from` were seen (linesFrom(from).length without the copy). */
  countFrom(from: string): number {
    return this.bySender.get(from.toLowerCase())?.length ?? 0;
  }

  quit(): void {
    this.client.quit("bye");
  }

  /** Quits and resolves once the server has closed the connection (the nick is free again). */
  close(): Promise<void> {
    return new Promise((res) => {
      this.client.once("socket close", () => res());
      this.client.quit("bye");
    });
  }
}

export { startIrcBot } from "./irc-bot.js";
