import type { ChatAdapter, InboundMessage, OutboundMessage, SentRef } from "../core/messages.js";

/**
 * An in-process adapter for tests and benchmarks (Hubot's DummyAdapter, Bolt's
 * FakeReceiver): say() injects a line as a user; sent messages are recorded and
 * can be awaited. It can be "disconnected" to test the outbox.
 */
export class MemoryAdapter implements ChatAdapter {
  readonly sent: OutboundMessage[] = [];
  readonly topics = new Map<string, string>();
  private handler?: (m: InboundMessage) => unknown;
  private connected = true;
  private waiters: (() => void)[] = [];
  private listeners: ((m: OutboundMessage) => void)[] = [];
  private seq = 0;
  /** When set, setTopic throws this (e.g. a UserError "I need op …"). */
  topicError?: Error;

  constructor(
    readonly network = "memory",
    readonly topicMaxLength = 390,
    private readonly channelList: string[] = ["#test"],
  ) {}

  onMessage(handler: (m: InboundMessage) => unknown): void {
    this.handler = handler;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  isConnected(): boolean {
    return this.connected;
  }
  setConnected(up: boolean): void {
    this.connected = up;
    if (up) for (const w of this.waiters.splice(0)) w();
  }
  waitConnected(signal?: AbortSignal): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(new Error("stopped"));
    return new Promise((res, rej) => {
      this.waiters.push(res);
      signal?.addEventListener("abort", () => rej(new Error("stopped")), { once: true });
    });
  }
  async send(msg: OutboundMessage): Promise<SentRef> {
    if (!this.connected) throw new Error("not connected");
    this.sent.push(msg);
    for (const l of this.listeners) l(msg);
    return { id: `m${++this.seq}` };
  }
  async setTopic(channel: string, topic: string): Promise<void> {
    if (this.topicError) throw this.topicError;
    this.topics.set(channel, topic);
    this.sent.push({ network: this.network, target: channel, kind: "topic", text: topic });
    for (const l of this.listeners) l({ network: this.network, target: channel, kind: "topic", text: topic });
  }
  async getTopic(channel: string): Promise<string | undefined> {
    return this.topics.get(channel);
  }
  channels(): string[] {
    return this.channelList;
  }

  /** A user says something; resolves when the bot has handled it (not when jobs finish). */
  async say(text: string, user = "tester", opts: Partial<InboundMessage> = {}): Promise<unknown> {
    const msg: InboundMessage = {
      network: this.network,
      channel: this.channelList[0]!,
      user: { network: this.network, id: user, display: user },
      text,
      id: `in-${++this.seq}-${Math.random().toString(36).slice(2)}`,
      ...opts,
    };
    return this.handler?.(msg);
  }

  /** Resolves with the first message (already sent or yet to come) matching the predicate. */
  waitFor(pred: (m: OutboundMessage) => boolean, timeoutMs = 10_000): Promise<OutboundMessage> {
    const have = this.sent.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((res, rej) => {
      const t = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== fn);
        rej(
          new Error(
            `timed out waiting for a message; sent so far:\n${this.sent.map((m) => `${m.kind}: ${m.text}`).join("\n")}`,
          ),
        );
      }, timeoutMs);
      const fn = (m: OutboundMessage) => {
        if (!pred(m)) return;
        clearTimeout(t);
        this.listeners = this.listeners.filter((l) => l !== fn);
        res(m);
      };
      this.listeners.push(fn);
    });
  }

  texts(): string[] {
    return this.sent.map((m) => m.text);
  }
}
