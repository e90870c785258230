import type { Identity, InboundMessage } from "../../core/messages.js";
import { stripMention, unescapeSlack } from "./format.js";

/**
 * Slack events → network-neutral InboundMessages. Pure: the adapter supplies
 * who the bot is and looks up display names.
 */

/** The fields of a Slack `message` or `app_mention` event the bot reads. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  team?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  topic?: string;
}

export interface InboundContext {
  network: string;
  botUserId: string;
  /** The workspace the event came from (the envelope's team_id). */
  teamId?: string;
  /** Channels the bot listens in without being mentioned; empty = every channel it is in. */
  channels: readonly string[];
  /** The name to show for a user id (the adapter looks the real one up afterwards). */
  display(userId: string): string;
}

/** Message subtypes that are something a person typed; others (joins, edits, topic changes) are not commands. */
const TYPED = new Set([undefined, "thread_broadcast", "file_share", "me_message", "bot_message"]);

export function slackIdentity(network: string, userId: string, teamId: string | undefined, display: string) {
  const id: Identity = { network, id: userId, display };
  if (teamId) id.account = `${teamId}:${userId}`;
  return id;
}

/**
 * Both a `message` and an `app_mention` event arrive for one mention in a channel;
 * Slack retries and Socket Mode redeliveries repeat them. One id for all of them
 * (channel and timestamp) lets the router's dedupe run the command once.
 */
export const messageId = (channel: string, ts: string) => `${channel}:${ts}`;

/** A message or app_mention event → an InboundMessage, or undefined if it is not for the bot. */
export function toInbound(ev: SlackMessageEvent, ctx: InboundContext): InboundMessage | undefined {
  if (!TYPED.has(ev.subtype) || !ev.channel || !ev.ts) return undefined;
  const fromBot = Boolean(ev.bot_id) || ev.subtype === "bot_message" || ev.user === ctx.botUserId;
  const raw = ev.text ?? "";
  const afterMention = stripMention(raw, ctx.botUserId);
  const dm = ev.channel_type === "im";
  // "@changebot help" is addressed; "see @changebot's !help" still needs the prefix.
  const mention = afterMention !== undefined;
  const listening =
    ev.type === "app_mention" || ctx.channels.length === 0 || ctx.channels.includes(ev.channel);
  if (!dm && !mention && !listening) return undefined;
  const userId = ev.user ?? ev.bot_id ?? "unknown";
  const teamId = ev.team ?? ctx.teamId;
  return {
    network: ctx.network,
    channel: ev.channel,
    user: slackIdentity(ctx.network, userId, teamId, ctx.display(userId)),
    text: unescapeSlack(afterMention ?? raw).trim(),
    id: messageId(ev.channel, ev.ts),
    threadId: ev.thread_ts,
    addressed: dm || mention,
    fromBot,
    raw: ev,
  };
}
