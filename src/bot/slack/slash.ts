import type { Logger } from "../../core/log.js";
import type { InboundMessage } from "../../core/messages.js";
import { unescapeSlack } from "./format.js";
import { slackIdentity } from "./inbound.js";
import type { UserNames } from "./names.js";

/** The slash command the manifest declares; any command routed to the app is handled the same way. */
export const SLASH_COMMAND = "/changebot";

/** The fields of a slash command's payload the bot reads. */
export interface SlashPayload {
  command: string;
  text?: string;
  user_id: string;
  team_id?: string;
  channel_id: string;
  trigger_id: string;
}

/** Commands whose answers are for the asker alone when asked by slash command. */
const PRIVATE = new Set(["help", "whoami"]);

/**
 * `/changebot <command line>` is `!<command line>` typed by the same person in the
 * same channel, through the same router: the same roles, dedupe, jobs and acks.
 * Slack redelivers a Socket Mode envelope it thinks was not acknowledged with the
 * same payload, so its trigger_id (unique to one use of the command) is its id:
 * the redelivery runs nothing. Nobody else sees a slash command being typed, so
 * `help` and `whoami` answer the asker alone; refusals do for every command.
 */
export async function slashToInbound(
  network: string,
  p: SlashPayload,
  names: UserNames,
): Promise<InboundMessage> {
  const text = unescapeSlack(p.text ?? "").trim() || "help";
  const first = text.replace(/^!/, "").split(/\s+/)[0]?.toLowerCase() ?? "";
  return {
    network,
    channel: p.channel_id,
    user: slackIdentity(network, p.user_id, p.team_id, await names.get(p.user_id)),
    text,
    id: `slash:${p.trigger_id}`,
    addressed: true,
    ...(PRIVATE.has(first) ? { privateReplies: true } : {}),
    raw: p,
  };
}

export function logSlash(log: Logger, p: SlashPayload, outcome: unknown): void {
  log.info({ channel: p.channel_id, user: p.user_id, command: p.command, outcome }, "Slack: slash command");
}
