import type { types, webApi } from "@slack/bolt";
import type { Logger } from "../../core/log.js";
import type { OutboundMessage, SentRef } from "../../core/messages.js";
import { isPermanent, platformError } from "./errors.js";
import { renderBlocks, renderText } from "./format.js";
import { OncePoster } from "./post-once.js";
import { withRunEvents } from "./run-events.js";

/** Messages whose update Slack refuses because the original is gone: post a new one instead. */
const GONE = new Set(["message_not_found", "cant_update_message", "edit_window_closed"]);

/**
 * One outbound message onto Slack: chat.postMessage (with files for long
 * output and Block Kit for buttons), chat.update for replacements and edits,
 * chat.postEphemeral for what one person alone should see.
 */
export class SlackSender {
  private readonly poster: OncePoster;

  constructor(
    private readonly client: () => webApi.WebClient,
    private readonly log: Logger,
  ) {
    this.poster = new OncePoster(client, log);
  }

  async deliver(msg: OutboundMessage): Promise<SentRef> {
    if (msg.editsId) return this.edit(msg, msg.editsId);
    const client = this.client();
    if (msg.visibleTo) return this.ephemeral(msg, msg.visibleTo);
    const plain = renderText(msg, { attach: !msg.replaces });
    // What the message says as events (a runbook run's), Slack says in its own markup.
    const r = { ...plain, text: withRunEvents(plain.text, msg.events) };
    const blocks = (
      msg.actions?.length || msg.blocks?.length
        ? renderBlocks(r.text, msg.actions ?? [], msg.blocks)
        : undefined
    ) as types.KnownBlock[] | undefined;
    const where = {
      channel: msg.target,
      text: r.text,
      ...(msg.threadId ? { thread_ts: msg.threadId } : {}),
    };
    try {
      if (msg.replaces) {
        try {
          // Without blocks, an earlier message's buttons would stay.
          await client.chat.update({
            channel: msg.target,
            ts: msg.replaces,
            text: r.text,
            blocks: blocks ?? [],
          });
          return { id: msg.replaces };
        } catch (e) {
          if (!GONE.has(platformError(e) ?? "")) throw e;
        }
      }
      // Posted at most once, even across the outbox's retries (see OncePoster).
      const id = await this.poster.post({
        ...where,
        ...(blocks ? { blocks } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (r.file) {
        const file = { content: r.file.content, filename: r.file.filename, title: r.file.title };
        await client.filesUploadV2(
          msg.threadId
            ? { ...file, channel_id: msg.target, thread_ts: msg.threadId }
            : { ...file, channel_id: msg.target },
        );
      }
      // Until here a retry of this message posts nothing again (only the file is still to go).
      this.poster.forget(where);
      return { id };
    } catch (e) {
      // A refusal that retrying cannot change must not hold up the network's whole outbox.
      if (!isPermanent(e)) throw e;
      this.poster.forget(where);
      this.log.warn(
        { channel: msg.target, kind: msg.kind, error: platformError(e) },
        "Slack refused a message; dropped",
      );
      return {};
    }
  }

  /** For one person's eyes (chat.postEphemeral); Slack keeps no such message, so it has no id. */
  async ephemeral(msg: OutboundMessage, user: string): Promise<SentRef> {
    const r = renderText(msg);
    try {
      await this.client().chat.postEphemeral({
        channel: msg.target,
        user,
        text: r.text,
        ...(msg.threadId ? { thread_ts: msg.threadId } : {}),
      });
    } catch (e) {
      if (!isPermanent(e)) throw e;
      this.log.warn(
        { channel: msg.target, error: platformError(e) },
        "Slack refused a private answer; dropped",
      );
    }
    return {};
  }

  /** Edits a message by its ts, text and blocks as given (already mrkdwn); never posts a new one. */
  async edit(msg: OutboundMessage, ts: string): Promise<SentRef> {
    try {
      await this.client().chat.update({
        channel: msg.target,
        ts,
        text: msg.text,
        blocks: (msg.blocks ?? []) as types.KnownBlock[],
      });
      return { id: ts };
    } catch (e) {
      if (!isPermanent(e)) throw e;
      this.log.warn(
        { channel: msg.target, error: platformError(e) },
        "Slack: could not edit the message; left as it was",
      );
      return {};
    }
  }
}
