import type { MessageAction, OutboundMessage } from "../../core/messages.js";
import { timesIn } from "../../core/time.js";

/**
 * Text both ways between the bot and Slack's mrkdwn. Everything the bot says is
 * escaped (&, <, >), so a user's words quoted back can never become a mention,
 * a link or a broadcast; everything Slack sends is unescaped before parsing.
 */

/** Escapes the three characters Slack's mrkdwn gives meaning to. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Every time the bot says, in each reader's own zone: Slack's date token, with
 * the UTC text as the fallback for clients that cannot show it (notifications,
 * old clients). "2026-12-01 14:00 UTC" → `<!date^…^{date_short_pretty} {time}|2026-12-01 14:00 UTC>`.
 */
export function localTimes(text: string): string {
  let out = "";
  let at = 0;
  for (const t of timesIn(text)) {
    const shown = t.clockOnly ? "{time}" : "{date_short_pretty} {time}";
    out += `${text.slice(at, t.start)}<!date^${Math.floor(t.at / 1000)}^${shown}|${t.text}>`;
    at = t.end;
  }
  return out + text.slice(at);
}

/** Slack's message text → what the user typed: links and mentions flattened, entities decoded. */
export function unescapeSlack(s: string): string {
  const flat = s.replace(/<([^<>]*)>/g, (_all, inner: string) => {
    const [target = "", label] = inner.split("|", 2);
    // Mentions and channels keep their ids (unambiguous, and what role rules and targets use).
    if (target.startsWith("@") || target.startsWith("#")) return target;
    if (target.startsWith("!")) return label ?? `@${target.slice(1)}`;
    // A URL: the command gets the URL itself, as typed, never the label Slack may show.
    return target.startsWith("mailto:") ? (label ?? target.slice(7)) : target;
  });
  return flat.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** A message to the bot that starts by mentioning it: the rest of the text, else undefined. */
export function stripMention(text: string, botUserId: string): string | undefined {
  const m = new RegExp(`^\\s*<@${botUserId}(\\|[^>]*)?>[:,]?\\s*`).exec(text);
  return m ? text.slice(m[0].length) : undefined;
}

/** More output than this goes into an uploaded file instead of the message. */
export const LONG_OUTPUT_LINES = 40;
export const LONG_OUTPUT_CHARS = 3000;
const MAX_TEXT = 35_000;

export interface Rendered {
  /** mrkdwn text of the message. */
  text: string;
  /** Output too long for a message, uploaded as a file in the same place. */
  file?: { filename: string; title: string; content: string };
}

const KIND_MARK: Partial<Record<OutboundMessage["kind"], string>> = {
  announce: ":mega: ",
  alarm: ":warning: ",
};

/** Three backticks inside output would end the code block early. */
const fence = (s: string) => s.replace(/```/g, "``\u200b`");

/**
 * What the bot says is prose (escaped mrkdwn, line breaks kept); its last
 * `outputLines` lines, when the sender marks some, are a command's output: a
 * code block, or, when long, an uploaded file with the prose as the message.
 */
export function renderText(
  msg: Pick<OutboundMessage, "text" | "kind" | "outputLines">,
  opts: { attach?: boolean } = {},
): Rendered {
  const all = msg.text.replace(/\n+$/, "").split("\n");
  const n = Math.min(Math.max(msg.outputLines ?? 0, 0), all.length);
  let prose = `${KIND_MARK[msg.kind] ?? ""}${localTimes(escapeMrkdwn(all.slice(0, all.length - n).join("\n")))}`;
  // Slack refuses a message over 40,000 characters; say less rather than nothing.
  if (prose.length > MAX_TEXT) prose = `${prose.slice(0, MAX_TEXT)}… (cut: too long for Slack)`;
  const out = all.slice(all.length - n);
  if (!out.length) return { text: prose };
  let body = out.join("\n");
  const long = out.length > LONG_OUTPUT_LINES || body.length > LONG_OUTPUT_CHARS;
  if (long && opts.attach === false) {
    // An edited message (progress) keeps its last lines instead of uploading a file each time.
    const last = out.slice(-LONG_OUTPUT_LINES).join("\n").slice(-LONG_OUTPUT_CHARS);
    body = `… ${out.length - last.split("\n").length} earlier lines\n${last}`;
  } else if (long) {
    const job = /#(\d+)/.exec(all[0] ?? "")?.[1];
    return {
      text: `${prose} (${out.length} lines, attached)`,
      file: {
        filename: job ? `job-${job}.txt` : "output.txt",
        title: (all[0] ?? "output").slice(0, 200),
        content: `${body}\n`,
      },
    };
  }
  return { text: `${prose}\n\`\`\`\n${fence(escapeMrkdwn(body))}\n\`\`\`` };
}

/** Block ids and action ids the adapter recognises on a click. */
export const ACTIONS_BLOCK = "changebot_actions";
export const ACTION_PREFIX = "changebot_action_";

/** Slack's limits on a section's text, a button's label, and a message's blocks. */
const SECTION_MAX = 3000;
const LABEL_MAX = 75;
export const MESSAGE_BLOCKS_MAX = 50;

/** The message as Block Kit: its text, then one button per action (each runs its command as the clicker). */
export function renderBlocks(text: string, actions: readonly MessageAction[], extra?: unknown[]): unknown[] {
  const room = MESSAGE_BLOCKS_MAX - (actions.length ? 1 : 0);
  const blocks: unknown[] = extra?.length
    ? extra.length > room
      ? [
          ...extra.slice(0, room - 1),
          {
            type: "context",
            elements: [
              {
                type: "mrkdwn",
                text: `… and ${extra.length - room + 1} more (too long for one Slack message)`,
              },
            ],
          },
        ]
      : [...extra]
    : [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, SECTION_MAX) } }];
  if (actions.length) {
    blocks.push({
      type: "actions",
      block_id: ACTIONS_BLOCK,
      elements: actions.map((a, i) => ({
        type: "button",
        action_id: `${ACTION_PREFIX}${i}`,
        text: { type: "plain_text", text: a.label.slice(0, LABEL_MAX) },
        value: a.command,
        ...(a.style ? { style: a.style } : {}),
      })),
    });
  }
  return blocks;
}

/** After a click that worked: the same message, buttons gone, and who did what. */
export function actedBlocks(blocks: unknown[] | undefined, text: string, label: string, userId: string) {
  const kept = (blocks ?? []).filter((b) => (b as { type?: string }).type !== "actions");
  const note = `${escapeMrkdwn(label)} by <@${userId}>`;
  if (!kept.length)
    kept.push({ type: "section", text: { type: "mrkdwn", text: text.slice(0, SECTION_MAX) } });
  kept.push({ type: "context", elements: [{ type: "mrkdwn", text: `:white_check_mark: ${note}` }] });
  return { blocks: kept, text: `${text}\n${note}` };
}
