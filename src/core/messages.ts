import type { TopicSegment } from "./topic-fit.js";

/**
 * The chat core's contract. Every network (console, irc, slack) is a ChatAdapter;
 * everything the router sees is an InboundMessage; everything the bot says is an
 * OutboundMessage, built by core/outbound.ts and carried by the outbox (infra/outbox.ts).
 */

/** Who sent a message, as the network vouches for it. Never a bare IRC nick. */
export interface Identity {
  /** Network name: "console", "irc", "slack". */
  network: string;
  /** Stable id on that network: console user, IRC nick, Slack user id. */
  id: string;
  /** What to call them in replies. */
  display: string;
  /** A services account (IRC) or team id qualified account (Slack), when the network gives one. */
  account?: string;
  /** IRC only: nick!user@host, for `irc:mask:` rules. */
  mask?: string;
}

export interface InboundMessage {
  network: string;
  /** Where a reply goes: a channel, or the sender for a private message. */
  channel: string;
  user: Identity;
  text: string;
  /** Unique per network; used to drop redeliveries. */
  id: string;
  /** Thread to answer in (Slack). */
  threadId?: string;
  /** The bot was addressed directly (DM, mention, `changebot: …`): no prefix needed. */
  addressed?: boolean;
  /** The message came from this bot or another bot: never a command. */
  fromBot?: boolean;
  /** Sent once the command has run (not when refused): e.g. a clicked button's message, its buttons closed. */
  whenRun?: OutboundMessage;
  /** A refusal is shown by the sender's own means (a form's field errors), not said in chat. */
  refusalShownBySender?: boolean;
  /** Answers to it are for the sender's eyes only, where the network can (a Slack `/changebot help`). */
  privateReplies?: boolean;
  raw?: unknown;
}

export type OutboundKind = "reply" | "announce" | "alarm" | "progress" | "topic";

export interface OutboundMessage {
  network: string;
  /** Channel (or user) to deliver to. */
  target: string;
  kind: OutboundKind;
  /** For kind "topic": the full new topic. Otherwise the text to say. */
  text: string;
  /** Explicit thread on the network (Slack ts). */
  threadId?: string;
  /** Remember the network's id for this message under this ref (e.g. "j42"), to thread later ones under it. */
  ref?: string;
  /** Thread under the message sent earlier with this ref, if the network has threads. */
  threadOf?: string;
  /** Replace the message sent earlier with this ref, if the network can edit (Slack chat.update). */
  replaces?: string;
  /**
   * Edit the network's own message with this id (a Slack ts, not a ref): a
   * clicked button's message, closed. Text and blocks are in the network's markup
   * already and are sent as they are; if the edit is refused, nothing is posted.
   */
  editsId?: string;
  /** For kind "topic": the segments, so the adapter's limit shortens people's segments, never the bot's. */
  topic?: TopicSegment[];
  /**
   * Buttons (Slack Block Kit) that run a chat command as the person who clicks,
   * through the router, so the role check is exactly the typed command's. Networks
   * without buttons show "(answer with !migrate ack)" instead.
   */
  actions?: MessageAction[];
  /** Network-specific rich content (Slack Block Kit). Text is the fallback. */
  blocks?: unknown[];
  /**
   * Only this person (the network's user id) should see it, in the target channel,
   * where the network can (Slack: chat.postEphemeral). Others send it as usual.
   */
  visibleTo?: string;
  /** The text's last N lines are a command's output (Slack shows them as a code block, or a file when long). */
  outputLines?: number;
  /**
   * What the text says, as data (e.g. a runbook run's events): the text is their
   * plain rendering, somewhere in it. A network with its own renderer for them
   * (Slack) says them in its markup instead; the others send the text.
   */
  events?: readonly ChatEvent[];
}

/** Something that happened, as data; which kinds there are is up to the layer that emits them. */
export interface ChatEvent {
  readonly type: string;
}

export interface MessageAction {
  label: string;
  /** The command a click runs, e.g. "!migrate ack". */
  command: string;
  style?: "primary" | "danger";
}

export interface SentRef {
  /** The network's id of the sent message (Slack ts), if it has one. */
  id?: string;
}

export interface TopicChange {
  network: string;
  channel: string;
  topic: string;
  by?: string;
}

export type AdapterStatus = "connecting" | "connected" | "disconnected";

export interface ChatAdapter {
  readonly network: string;
  /** Longest topic the network accepts (IRC TOPICLEN, Slack 250). */
  readonly topicMaxLength: number;
  /** How the topic limit is counted (IRC: UTF-8 bytes, the default; Slack: characters). */
  measureTopic?: (s: string) => number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Whether the network may hand the bot one message twice (Slack retries an
   * event it thinks went unanswered). Only then does the router spend a Redis
   * round trip to drop repeats; IRC and the console set false. Default: true.
   */
  readonly redelivers?: boolean;
  /**
   * Whether a message can be threaded under an earlier one or replace it (Slack).
   * Only then does the outbox keep the ids of sent messages (`ref`) and look them
   * up (`threadOf`, `replaces`); elsewhere those fields mean nothing, and a reply
   * with them goes out like any other (on the direct path, with no Redis round trip).
   * Default: true.
   */
  readonly threads?: boolean;
  /** True while messages can be delivered. */
  isConnected(): boolean;
  /** Resolves when connected; rejects if the signal aborts first. */
  waitConnected(signal?: AbortSignal): Promise<void>;
  /** The handler may return a promise; the console's scripting mode waits for it before the next line. */
  onMessage(handler: (msg: InboundMessage) => unknown): void;
  /** Someone (or the server) changed a topic. Optional. */
  onTopic?(handler: (change: TopicChange) => void): void;
  /** The adapter (re)connected: e.g. to restore bot-managed topic segments. Optional. */
  onConnected?(handler: () => void): void;
  send(msg: OutboundMessage): Promise<SentRef>;
  /** Throws a UserError the channel should see when the bot may not set the topic. */
  setTopic(channel: string, topic: string): Promise<void>;
  getTopic(channel: string): Promise<string | undefined>;
  /** Channels this adapter serves, as announcement targets. */
  channels(): string[];
  /**
   * Marks the command's own message with the state of the jobs it started, where
   * the network can (Slack: a reaction when queued, another when each job ends).
   * Optional; failures are the adapter's to log.
   */
  receipt?(msg: InboundMessage, state: ReceiptState): Promise<void>;
  /**
   * Requests the network's receiver refused before they became messages, by
   * reason (Slack's HTTP endpoint: "signature", "stale", "replay"). Optional; read
   * by /metrics.
   */
  refusedRequests?(): ReadonlyMap<string, number>;
}

export type ReceiptState = "queued" | "done" | "failed";
