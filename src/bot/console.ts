import { randomBytes } from "node:crypto";
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type {
  ChatAdapter,
  InboundMessage,
  MessageAction,
  OutboundMessage,
  SentRef,
} from "../core/messages.js";

/** How networks without buttons offer a message's actions. */
export function actionHint(actions: readonly MessageAction[]): string {
  return `(${actions.map((a) => `${a.label}: type ${a.command}`).join("; ")})`;
}

export interface ConsoleOptions {
  user: string;
  channel: string;
  input?: Readable;
  output?: Writable;
  /** Interactive prompt (a terminal) or scripting mode (one command per line, stdin not a terminal). */
  interactive?: boolean;
  prompt?: string;
}

/**
 * The console adapter (Hubot's Shell adapter and Errbot's Text backend are the
 * precedent). Interactive on a terminal; in scripting mode it reads one command
 * per line and hands each to the bot in turn, so replies come in order, and
 * tells the bot when input has ended. Topic changes and announcements are shown
 * apart from replies: "[topic] …", "[announce] …".
 */
export class ConsoleAdapter implements ChatAdapter {
  readonly network = "console";
  /** Each line typed or piped is read once: the router need not look for repeats. */
  readonly redelivers = false;
  /** No threads or edits: the outbox keeps no message ids for it. */
  readonly threads = false;
  readonly topicMaxLength = 1000;
  readonly interactive: boolean;
  private readonly input: Readable;
  private readonly output: Writable;
  private rl?: Interface;
  private handler?: (m: InboundMessage) => unknown;
  private endHandler?: () => void;
  private readonly topics = new Map<string, string>();
  private readonly boot = randomBytes(3).toString("hex");
  private seq = 0;
  private sentSeq = 0;

  constructor(private readonly opts: ConsoleOptions) {
    this.input = opts.input ?? process.stdin;
    this.output = opts.output ?? process.stdout;
    this.interactive = opts.interactive ?? Boolean((this.input as NodeJS.ReadStream).isTTY);
  }

  onMessage(handler: (m: InboundMessage) => unknown): void {
    this.handler = handler;
  }

  /** Input has ended (scripting mode): the bot finishes its work and exits. */
  onEnd(handler: () => void): void {
    this.endHandler = handler;
  }

  async start(): Promise<void> {
    const rl = createInterface({
      input: this.input,
      output: this.interactive ? this.output : undefined,
      terminal: this.interactive,
    });
    this.rl = rl;
    if (this.interactive) {
      rl.setPrompt(this.opts.prompt ?? `${this.opts.user}> `);
      this.write(
        `changebot console: you are console:${this.opts.user} in ${this.opts.channel}. Type !help; Ctrl-D to quit.`,
      );
      rl.prompt();
      rl.on("line", (line) => {
        void Promise.resolve(this.deliver(line)).finally(() => rl.prompt());
      });
      rl.on("close", () => this.endHandler?.());
      return;
    }
    // Scripting mode: strictly one line after another.
    void (async () => {
      for await (const line of rl) await this.deliver(line);
      this.endHandler?.();
    })();
  }

  private deliver(line: string): unknown {
    if (!line.trim()) return undefined;
    const msg: InboundMessage = {
      network: this.network,
      channel: this.opts.channel,
      user: { network: this.network, id: this.opts.user, display: this.opts.user },
      text: line,
      id: `${this.boot}-${++this.seq}`,
      addressed: false,
    };
    return this.handler?.(msg);
  }

  async stop(): Promise<void> {
    this.rl?.close();
  }

  isConnected(): boolean {
    return true;
  }

  async waitConnected(): Promise<void> {}

  /**
   * A line for the person at the terminal that is not a reply (the web address at
   * start), above the prompt; in scripting mode nothing: standard output carries
   * only the replies a script reads.
   */
  note(text: string): void {
    if (this.interactive) this.write(text);
  }

  private write(text: string): void {
    if (this.interactive && this.rl) {
      this.output.write("\r\x1b[K");
      this.output.write(`${text}\n`);
      this.rl.prompt(true);
    } else {
      this.output.write(`${text}\n`);
    }
  }

  async send(msg: OutboundMessage): Promise<SentRef> {
    const tag = msg.kind === "announce" ? "[announce] " : msg.kind === "alarm" ? "[alert] " : "";
    let text = msg.target !== this.opts.channel ? `(to ${msg.target}) ${msg.text}` : msg.text;
    if (msg.actions?.length) text += `\n${actionHint(msg.actions)}`;
    this.write(`${tag}${text}`);
    return { id: String(++this.sentSeq) };
  }

  async setTopic(channel: string, topic: string): Promise<void> {
    this.topics.set(channel, topic);
    this.write(`[topic] ${channel}: ${topic || "(empty)"}`);
  }

  async getTopic(channel: string): Promise<string | undefined> {
    return this.topics.get(channel);
  }

  channels(): string[] {
    return [this.opts.channel];
  }
}
