import { Client, type FrameworkOptions } from "irc-framework";

/**
 * A small typed face over irc-framework: the events and calls changebot uses,
 * with their payloads spelled out. Reconnection is not left to irc-framework
 * (its retries give up); the adapter reconnects with its own backoff.
 */

export interface Source {
  nick: string;
  ident: string;
  hostname: string;
}

export interface PrivmsgEvent extends Source {
  target: string;
  message: string;
  /** The account-tag: present (with the name) only when the sender is logged in. */
  account?: string;
  tags: Record<string, string>;
  from_server?: boolean;
}

export interface JoinEvent extends Source {
  channel: string;
  /** extended-join: the account, or false when not logged in; undefined without the cap. */
  account?: string | false;
}

export interface PartEvent extends Source {
  channel: string;
}
export interface KickEvent extends Source {
  channel: string;
  kicked: string;
}
export interface QuitEvent extends Source {}
export interface NickEvent extends Source {
  new_nick: string;
}
export interface AccountEvent {
  nick: string;
  /** false when logged out. */
  account: string | false;
}
export interface TopicEvent {
  channel: string;
  topic: string;
  nick?: string;
}
export interface UserlistEvent {
  channel: string;
  users: { nick: string; ident: string; hostname: string; modes: string[] }[];
}
export interface WholistEvent {
  target: string;
  users: { nick: string; ident: string; hostname: string; account?: string; channel?: string }[];
}
export interface ModeEvent {
  target: string;
  nick: string;
  modes: { mode: string; param?: string }[];
}
export interface ChannelInfoEvent {
  channel: string;
  modes?: { mode: string; param?: string }[];
}
export interface IrcErrorEvent {
  error: string;
  channel?: string;
  nick?: string;
  reason?: string;
}

export interface IrcEvents {
  registered: { nick: string };
  privmsg: PrivmsgEvent;
  join: JoinEvent;
  part: PartEvent;
  kick: KickEvent;
  quit: QuitEvent;
  nick: NickEvent;
  account: AccountEvent;
  topic: TopicEvent;
  userlist: UserlistEvent;
  wholist: WholistEvent;
  mode: ModeEvent;
  "channel info": ChannelInfoEvent;
  "irc error": IrcErrorEvent;
  "nick in use": { nick: string };
  "nick invalid": { nick: string };
  "sasl failed": { reason: string; message?: string };
  pong: { message: string };
  "socket close": unknown;
  "socket error": Error;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls: boolean;
  tlsInsecure?: boolean;
  nick: string;
  username?: string;
  realname?: string;
  password?: string;
  sasl?: {
    mechanism: "PLAIN" | "EXTERNAL";
    account?: string;
    password?: string;
    /** PEM text of the client certificate and key (EXTERNAL). */
    cert?: string;
    key?: string;
  };
}

export class IrcClient {
  private readonly client: Client;
  /** A line was written in this tick: the next ones are batched (raw). */
  private batching = false;

  constructor(extraCaps: string[] = []) {
    this.client = new Client();
    if (extraCaps.length) this.client.requestCap(extraCaps);
    // A reply is several small writes in a row: without TCP_NODELAY, Nagle's algorithm
    // holds each one until the previous is acknowledged (tens of ms per line on Linux).
    this.client.on("socket connected", () => this.client.connection.transport?.socket?.setNoDelay?.(true));
  }

  /** Listens to an event; returns a function that stops listening. */
  on<K extends keyof IrcEvents>(event: K, fn: (e: IrcEvents[K]) => void): () => void {
    const f = fn as (e: unknown) => void;
    this.client.on(event, f);
    return () => {
      this.client.off(event, f);
    };
  }

  /** `ping`: seconds between irc-framework's PINGs, and of silence before it gives the connection up. */
  connect(o: ConnectOptions, ping = { intervalS: 30, timeoutS: 90 }): void {
    const opts: FrameworkOptions = {
      host: o.host,
      port: o.port,
      tls: o.tls,
      rejectUnauthorized: !o.tlsInsecure,
      nick: o.nick,
      username: o.username ?? o.nick,
      gecos: o.realname ?? o.nick,
      password: o.password,
      auto_reconnect: false,
      // Lines are split by the adapter; irc-framework's own splitting is not used.
      message_max_length: 4096,
      ping_interval: ping.intervalS,
      ping_timeout: ping.timeoutS,
      version: null,
    };
    if (o.sasl) {
      opts.sasl_mechanism = o.sasl.mechanism;
      opts.sasl_disconnect_on_fail = true;
      if (o.sasl.mechanism === "PLAIN")
        opts.account = { account: o.sasl.account ?? o.nick, password: o.sasl.password ?? "" };
      if (o.sasl.cert && o.sasl.key)
        opts.client_certificate = { certificate: o.sasl.cert, private_key: o.sasl.key };
    }
    this.client.connect(opts);
  }

  get nick(): string {
    return this.client.user.nick;
  }
  get connected(): boolean {
    return this.client.connection.connected;
  }
  /** An ISUPPORT token (TOPICLEN, WHOX, NICKLEN…), undefined when the server did not send it. */
  isupport(name: string): unknown {
    return this.client.network.supports(name);
  }
  capEnabled(cap: string): boolean {
    return this.client.network.cap.isEnabled(cap);
  }
  sameNick(a: string, b: string): boolean {
    return this.client.caseCompare(a, b);
  }
  lower(s: string): string {
    return this.client.caseLower(s);
  }
  /**
   * Sends one protocol line; the caller has made sure it fits. The first line of
   * a tick is written at once (an answer's first line waits for nothing); those
   * written after it in the same tick (the rest of what the pacer lets through
   * at once) are held and leave together in one write before any I/O: one system
   * call for the rest of a reply, not one per line.
   */
  raw(line: string): void {
    const socket = this.client.connection.transport?.socket;
    if (socket?.cork && this.batching) {
      if (!socket.writableCorked) socket.cork();
    } else if (socket?.cork) {
      this.batching = true;
      process.nextTick(() => {
        this.batching = false;
        if (socket.writableCorked) socket.uncork?.();
      });
    }
    this.client.raw(line);
  }
  join(channel: string): void {
    this.client.join(channel);
  }
  /** WHOX for accounts where the server has it (irc-framework falls back to WHO). */
  who(target: string): void {
    this.client.who(target);
  }
  /** WHOIS: the services account a nick is logged in to (RPL_WHOISACCOUNT), if any. */
  whoisAccount(nick: string, timeoutMs = 5000): Promise<string | undefined> {
    return new Promise((res) => {
      const t = setTimeout(() => res(undefined), timeoutMs);
      this.client.whois(nick, (e) => {
        clearTimeout(t);
        res(e.account || undefined);
      });
    });
  }
  quit(message: string): void {
    this.client.quit(message);
  }
}
