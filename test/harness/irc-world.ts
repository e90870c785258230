import { IrcUser, type Ngircd, type NgircdOptions, startNgircd } from "./irc.js";
import { type IrcBotOptions, startIrcBot } from "./irc-bot.js";
import { TcpGate } from "./tcp-gate.js";

/** How a file's IRC world is built (the `ircWorldOptions` fixture). */
export interface IrcWorldOptions {
  /** Put a TcpGate between the bot and ngircd, so a test can hold or stall the bot's connection. People connect directly. */
  gate?: boolean;
}

export type IrcBot = Awaited<ReturnType<typeof startIrcBot>>;
/** What a test gives to start a bot in the world: the Redis, prefix and port are the world's. */
export type IrcBotStart = Omit<IrcBotOptions, "redisUrl" | "prefix" | "port">;

/**
 * A real ngircd (optionally behind a TcpGate the bot connects through), the
 * bots started on it and the people connected to it. A test may kill and
 * restart the server; stop() ends whatever runs then, the first server's
 * folder included.
 */
export class IrcWorld {
  private current: Ngircd;
  private bots: IrcBot[] = [];
  private users: IrcUser[] = [];

  private constructor(
    private readonly first: Ngircd,
    private readonly tcpGate: TcpGate | undefined,
    private readonly tls: boolean,
  ) {
    this.current = first;
  }

  static async start(ngircd: NgircdOptions = {}, o: IrcWorldOptions = {}): Promise<IrcWorld> {
    const srv = await startNgircd(ngircd);
    try {
      return new IrcWorld(srv, o.gate ? await TcpGate.start(srv.port) : undefined, !!ngircd.tls);
    } catch (e) {
      await srv.stop();
      throw e;
    }
  }

  /** The ngircd running now (after restart(), the new one; the port stays the same). */
  get ngircd(): Ngircd {
    return this.current;
  }

  /** The gate in front of ngircd; only in a world started with { gate: true }. */
  get gate(): TcpGate {
    if (!this.tcpGate)
      throw new Error("this IRC world has no gate: start it with { gate: true } (ircWorldOptions)");
    return this.tcpGate;
  }

  /** kill -9 of ngircd: every connection to it drops. */
  kill(): Promise<void> {
    return this.current.kill();
  }

  /** Starts ngircd again on the same port and config, after kill(). */
  async restart(): Promise<Ngircd> {
    this.current = await this.current.restart();
    return this.current;
  }

  /** changebot on this world's ngircd (through the gate if there is one), on `redisUrl` under `prefix`. */
  async bot(redisUrl: string, prefix: string, o: IrcBotStart): Promise<IrcBot> {
    const port = this.tcpGate?.port ?? this.current.port;
    const tls = this.tls ? { tls: true, tlsInsecure: true } : {};
    const t = await startIrcBot({ redisUrl, prefix, port, ...o, irc: { ...tls, ...o.irc } });
    this.bots.push(t);
    return t;
  }

  /** A person connected straight to ngircd, as `nick` (user name `username`). */
  async user(nick: string, username = nick): Promise<IrcUser> {
    const tls = this.tls ? { tls: true, rejectUnauthorized: false } : {};
    const u = await new IrcUser(nick, username).connect(this.current.port, tls);
    this.users.push(u);
    return u;
  }

  /**
   * Ends one test's part: lets the gate forward again (a test that failed
   * mid-stall would otherwise leave its bot unable to say goodbye), quits the
   * people and stops the bots.
   */
  async endTest(): Promise<void> {
    this.tcpGate?.unstall();
    this.tcpGate?.release();
    for (const u of this.users.splice(0)) u.quit();
    // Bot.stop() is idempotent: a test may stop its bot itself.
    await Promise.all(this.bots.splice(0).map((t) => t.stop()));
  }

  async stop(): Promise<void> {
    await this.endTest();
    await this.tcpGate?.stop();
    await this.current.stop();
    // The first server owns the folder a restarted one reuses.
    if (this.current !== this.first) await this.first.stop();
  }
}
