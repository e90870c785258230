import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/log.js";
import type { InboundMessage, ReceiptState } from "../../core/messages.js";
import { isPermanent, platformError } from "./errors.js";
import type { SlackMessageEvent } from "./inbound.js";

/** The reaction each state adds; a glance at the channel tells where a command is. */
export const RECEIPT_EMOJI: Record<ReceiptState, string> = {
  queued: "hourglass_flowing_sand",
  done: "white_check_mark",
  failed: "x",
};

/**
 * Reactions as receipts on the message a person typed (`!rc-mode on`, a mention):
 * one when its job is queued, another when it ends. A slash command and a click
 * have no message of the person's to react to: their ack in the channel says it.
 * Slack refusing (already_reacted, a deleted message, a missing scope) is logged,
 * never retried: a receipt is never worth a held-up outbox or a second reaction.
 */
export async function addReceipt(
  client: webApi.WebClient,
  log: Logger,
  msg: InboundMessage,
  state: ReceiptState,
): Promise<void> {
  const ev = msg.raw as Partial<SlackMessageEvent> | undefined;
  if (!ev?.ts || !ev.channel || (ev.type !== "message" && ev.type !== "app_mention")) return;
  try {
    await client.reactions.add({ channel: ev.channel, timestamp: ev.ts, name: RECEIPT_EMOJI[state] });
  } catch (e) {
    const code = platformError(e);
    if (code === "already_reacted") return;
    log.warn(
      { channel: ev.channel, state, error: code ?? (e as Error).message, permanent: isPermanent(e) },
      "Slack: could not add a receipt reaction",
    );
  }
}
