import type { ChatEvent, InboundMessage, MessageAction, OutboundKind, OutboundMessage } from "./messages.js";
import type { TopicSegment } from "./topic-fit.js";

/**
 * The one way to build what the bot says. Every OutboundMessage is made here,
 * then handed to the outbox; only the outbox and the adapters read its fields.
 */

export interface SayOptions {
  kind?: Exclude<OutboundKind, "topic">;
  /** Remember this message under a ref, so later ones can thread under it or replace it. */
  ref?: string;
  /** Replace the message sent earlier under this ref, where the network can edit. */
  replaces?: string;
  /** Buttons that run a command as the person who clicks (see OutboundMessage.actions). */
  actions?: MessageAction[];
  /** Network-specific rich content (Slack Block Kit); the text is the fallback. */
  blocks?: unknown[];
  /** The text's last N lines are a command's output. */
  outputLines?: number;
  /** What the text says, as data, for networks that render it their own way (OutboundMessage.events). */
  events?: readonly ChatEvent[];
  /** For this user's eyes only, where the network can (OutboundMessage.visibleTo). */
  visibleTo?: string;
}

/** Only the options given: a message carries no field it does not use. */
function extras(o: SayOptions): Partial<OutboundMessage> {
  const out: Partial<OutboundMessage> = {};
  if (o.ref) out.ref = o.ref;
  if (o.replaces) out.replaces = o.replaces;
  if (o.actions?.length) out.actions = o.actions;
  if (o.blocks) out.blocks = o.blocks;
  if (o.outputLines) out.outputLines = o.outputLines;
  if (o.events?.length) out.events = o.events;
  if (o.visibleTo) out.visibleTo = o.visibleTo;
  return out;
}

/** Said in a channel (or to a user), outside any thread: announcements, notices. */
export function toChannel(
  network: string,
  target: string,
  text: string,
  opts: SayOptions = {},
): OutboundMessage {
  return { network, target, kind: opts.kind ?? "reply", text, ...extras(opts) };
}

/** An answer to a chat message: where it came from, in its thread. */
export function replyTo(
  msg: Pick<InboundMessage, "network" | "channel" | "threadId"> &
    Partial<Pick<InboundMessage, "user" | "privateReplies">>,
  text: string,
  opts: SayOptions = {},
): OutboundMessage {
  // An answer to a command meant to be private (and not a job's ack, which others must see).
  const own = msg.privateReplies && msg.user && !opts.ref ? { visibleTo: msg.user.id } : {};
  const out = toChannel(msg.network, msg.channel, text, { ...own, ...opts });
  return msg.threadId ? { ...out, threadId: msg.threadId } : out;
}

/** What a job's messages need of its record. */
export interface JobPlace {
  id: number;
  /** "j42": the job's ack was sent under this ref; its messages thread under it. */
  ref: string;
  network: string;
  channel: string;
  threadId?: string;
}

/** Said in a job's thread, prefixed with its id ("#42 done (1s): …"). */
export function inJob(job: JobPlace, text: string, opts: SayOptions = {}): OutboundMessage {
  const out = toChannel(job.network, job.channel, `#${job.id} ${text}`, opts);
  return { ...out, threadOf: job.ref, ...(job.threadId ? { threadId: job.threadId } : {}) };
}

/** A channel's whole topic, with its segments so the adapter's limit shortens people's, never the bot's. */
export function topicMessage(network: string, channel: string, segments: TopicSegment[]): OutboundMessage {
  return {
    network,
    target: channel,
    kind: "topic",
    text: segments.map((s) => s.text).join(" | "),
    topic: segments,
  };
}

/**
 * An edit of a message the network names by its own id (a Slack ts), as the
 * network sent it to us: e.g. the message whose button was clicked, now without
 * its buttons. Text and blocks are already in the network's markup.
 */
export function editOf(
  network: string,
  channel: string,
  id: string,
  text: string,
  blocks?: unknown[],
): OutboundMessage {
  return { network, target: channel, kind: "reply", text, editsId: id, ...(blocks ? { blocks } : {}) };
}
