import { randomBytes } from "node:crypto";
import { type Clock, systemClock } from "../../core/clock.js";
import type { Logger } from "../../core/log.js";
import type {
  ChatAdapter,
  InboundMessage,
  OutboundMessage,
  SentRef,
  TopicChange,
} from "../../core/messages.js";
import { actionHint } from "../console.js";
import { ChannelBook } from "./channels.js";
import { type ConnectOptions, IrcClient, type PrivmsgEvent } from "./client.js";
import { AccountBook } from "./identity.js";
import { payloadBytes } from "./lines.js";
import { type Liveness, watchLiveness } from "./liveness.js";
import { stripAddress } from "./nick.js";
import { NickKeeper, type Ticker } from "./nick-keeper.js";
import { Pacer, TokenBucket } from "./pacer.js";
import { Reconnector } from "./reconnect.js";
import { LineSender } from "./sender.js";

export interface IrcAdapterOptions {
  connect: ConnectOptions;
  channels: string[];
  /** Also answers to "<name>: help" besides its nick. */
  name?: string;
  linesPerSecond: number;
  burst: number;
  log: Logger;
  clock?: Clock;
  /** How long to wait for the server to confirm a TOPIC (ms). */
  topicTimeoutMs?: number;
  /** How often to ask for the configured nick back while under another (default 60 s). */
  nickRetryMs?: number;
  ticker?: Ticker;
  /** irc-framework's PING interval and ping timeout (s; default 30 and 90), and Liveness's quiet time (ms). */
  ping?: { intervalS: number; timeoutS: number; quietMs?: number };
}

/** The first character of a channel name (a target starting otherwise is us: a private message). */
const CHANNEL_PREFIXES = "#&+!";

/** Topic limit assumed until the server's ISUPPORT TOPICLEN arrives. */
const DEFAULT_TOPICLEN = 300;

/**
 * changebot on IRC. Commands come by prefix ("!help"), by addressing the nick
 * in a channel ("changebot: help") or in a private message, answered where they
 * came from. Every line out goes through one token bucket so long outputs never
 * flood; the bot reconnects with backoff, rejoins, and tells the Bot when it is
 * back so lost topic segments are restored.
 */
export class IrcAdapter implements ChatAdapter {
  readonly network = "irc";
  /** An IRC server hands each line over once: the router need not look for repeats. */
  readonly redelivers = false;
  /** No threads or edits: the outbox keeps no message ids for it. */
  readonly threads = false;
  private client!: IrcClient;
  private accounts!: AccountBook;
  private liveness!: Liveness;
  private chans!: ChannelBook;
  private readonly pacer: Pacer;
  private readonly sender: LineSender;
  private readonly reconnector: Reconnector;
  private messageHandler?: (m: InboundMessage) => unknown;
  private readonly topicHandlers: ((c: TopicChange) => void)[] = [];
  private readonly connectedHandlers: (() => void)[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly disconnectWaiters = new Set<() => void>();
  private connected = false;
  private readyTimer?: NodeJS.Timeout;
  private self: { user?: string; host?: string } = {};
  private readonly boot = randomBytes(3).toString("hex");
  private seq = 0;

  constructor(private readonly opts: IrcAdapterOptions) {
    const clock = opts.clock ?? systemClock;
    this.pacer = new Pacer(new TokenBucket(opts.burst, opts.linesPerSecond, clock));
    this.sender = new LineSender(this.pacer, () => this.liveness.wait());
    this.reconnector = new Reconnector(() => this.connectOnce(), opts.log);
  }

  /**
   * The server's TOPICLEN, but never more than a TOPIC line can carry once the
   * server prefixes it with our nick!user@host (for the longest channel name).
   */
  get topicMaxLength(): number {
    const n = Number(this.client?.isupport("TOPICLEN"));
    const topiclen = Number.isFinite(n) && n > 0 ? n : DEFAULT_TOPICLEN;
    const longest = this.opts.channels.reduce((a, c) => (c.length > a.length ? c : a), "");
    return Math.min(topiclen, payloadBytes(this.nick, longest, this.self, "TOPIC"));
  }

  get nick(): string {
    return this.client?.nick ?? this.opts.connect.nick;
  }

  onMessage(handler: (m: InboundMessage) => unknown): void {
    this.messageHandler = handler;
  }
  onTopic(handler: (c: TopicChange) => void): void {
    this.topicHandlers.push(handler);
  }
  onConnected(handler: () => void): void {
    this.connectedHandlers.push(handler);
  }

  async start(): Promise<void> {
    this.reconnector.start();
  }

  async stop(): Promise<void> {
    this.reconnector.stop();
    if (this.client?.connected) this.client.quit("changebot stopping");
    this.connected = false;
  }

  isConnected(): boolean {
    return this.connected;
  }

  waitConnected(signal?: AbortSignal): Promise<void> {
    if (this.connected) return Promise.resolve();
    // Already stopped: an abort listener added now would never fire.
    if (signal?.aborted) return Promise.reject(new Error("stopped"));
    return new Promise((res, rej) => {
      const w = () => {
        this.waiters.delete(w);
        res();
      };
      this.waiters.add(w);
      signal?.addEventListener(
        "abort",
        () => {
          this.waiters.delete(w);
          rej(new Error("stopped"));
        },
        { once: true },
      );
    });
  }

  /** Resolves once the connection is lost (tests; a status page). */
  waitUntilDisconnected(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    return new Promise((res) => this.disconnectWaiters.add(res));
  }

  channels(): string[] {
    return this.opts.channels;
  }

  /** One connection attempt; resolves when the socket closes (the reconnector then waits and retries). */
  private connectOnce(): Promise<{ registered: boolean }> {
    const client = new IrcClient(["account-notify", "account-tag", "extended-join"]);
    this.client = client;
    this.accounts = new AccountBook(client);
    this.liveness = watchLiveness(client, this.opts.clock ?? systemClock, this.opts.ping?.quietMs);
    this.chans = new ChannelBook(
      client,
      () => this.checkReady(),
      (channel, topic, by) => {
        for (const h of this.topicHandlers) h({ network: this.network, channel, topic, by });
      },
    );
    let registered = false;
    client.on("registered", (e) => {
      registered = true;
      this.opts.log.info({ server: this.opts.connect.host, nick: e.nick }, "irc: registered");
      for (const c of this.opts.channels) void this.pacer.write(() => client.join(c));
      // A channel we cannot join (banned, invite-only) must not hold every message forever.
      this.readyTimer = setTimeout(() => this.markConnected(), 10_000);
    });
    new NickKeeper(client, this.opts.connect.nick, {
      write: (line) => this.pacer.write(() => client.raw(line)),
      log: this.opts.log,
      retryMs: this.opts.nickRetryMs,
      ticker: this.opts.ticker,
    });
    client.on("join", (e) => {
      if (!client.sameNick(e.nick, client.nick)) return;
      this.self = { user: e.ident, host: e.hostname };
      // Accounts of the people already there (WHOX where the server has it).
      if (client.isupport("WHOX")) void this.pacer.write(() => client.who(e.channel));
    });
    client.on("privmsg", (e) => {
      this.inbound(e).catch((err) => this.opts.log.error({ err }, "irc: message handler failed"));
    });
    client.on("irc error", (e) => this.opts.log.warn({ error: e.error, reason: e.reason }, "irc: error"));
    client.on("sasl failed", (e) =>
      this.opts.log.error(
        { reason: e.reason, server: e.message, account: this.opts.connect.sasl?.account },
        "irc: SASL login failed; check networks.irc.sasl (will retry)",
      ),
    );
    return new Promise((res) => {
      client.on("socket close", () => {
        clearTimeout(this.readyTimer);
        if (this.connected) this.opts.log.warn({ server: this.opts.connect.host }, "irc: disconnected");
        this.connected = false;
        for (const w of [...this.disconnectWaiters]) w();
        this.disconnectWaiters.clear();
        res({ registered });
      });
      client.connect(this.opts.connect, this.opts.ping);
    });
  }

  private checkReady(): void {
    if (!this.connected && this.opts.channels.every((c) => this.chans.isReady(c))) this.markConnected();
  }

  private markConnected(): void {
    clearTimeout(this.readyTimer);
    if (this.connected || !this.client.connected) return;
    this.connected = true;
    this.opts.log.info({ channels: this.opts.channels }, "irc: in the channels");
    for (const w of [...this.waiters]) w();
    for (const h of this.connectedHandlers) h();
  }

  private async inbound(e: PrivmsgEvent): Promise<void> {
    if (e.from_server || !e.nick || this.client.sameNick(e.nick, this.client.nick)) return;
    const first = e.target[0];
    const toChannel = first !== undefined && CHANNEL_PREFIXES.includes(first);
    const spoken = toChannel ? stripAddress(e.message, [this.client.nick, this.opts.name]) : undefined;
    const text = spoken ?? e.message;
    const addressed = !toChannel || spoken !== undefined;
    const who = this.accounts.identify(e);
    const msg: InboundMessage = {
      network: this.network,
      channel: toChannel ? e.target : e.nick,
      user: who instanceof Promise ? await who : who,
      text,
      id: e.tags.msgid ?? `${this.boot}-${++this.seq}`,
      addressed,
      fromBot: "bot" in e.tags || "draft/bot" in e.tags,
      raw: e,
    };
    await this.messageHandler?.(msg);
  }

  /** Says a message through the pacer; a message cut off by a disconnect resumes (LineSender). */
  async send(msg: OutboundMessage): Promise<SentRef> {
    if (!this.connected) throw new Error("irc: not connected");
    let text = msg.text;
    if (msg.actions?.length) text += `\n${actionHint(msg.actions)}`;
    const { client } = this;
    await this.sender.send(client, msg.target, text, payloadBytes(client.nick, msg.target, this.self));
    return {};
  }

  async getTopic(channel: string): Promise<string | undefined> {
    return this.chans?.topicOf(channel);
  }

  async setTopic(channel: string, topic: string): Promise<void> {
    if (!this.connected) throw new Error("irc: not connected");
    await this.chans.setTopic(
      channel,
      topic,
      (line) => this.pacer.write(() => this.client.raw(line)),
      this.opts.topicTimeoutMs ?? 10_000,
    );
  }
}
