import type { InboundMessage, OutboundMessage } from "../core/messages.js";
import { replyTo, type SayOptions, toChannel } from "../core/outbound.js";
import { pacedNetwork } from "../domain/runbook/render-text.js";

/**
 * The one rule for long answers. IRC sends a message line by line, paced (about a
 * line a second after a burst of four), so a long answer floods the channel and
 * holds up everything after it. There, an answer of more than LONG_LINES lines, in
 * a channel, is replaced by a short summary and
 *   - the link to its page, when `web.baseUrl` is set and the answer has a page;
 *   - and/or, for an answer meant to be read in private (`!help`), the whole of
 *     it by private message to the asker.
 * Otherwise (console, Slack, an IRC private message, a short answer, no page to
 * link) the whole answer is said, with the page's link added when there is one.
 */
export const LONG_LINES = 6;

/** Bytes an IRC line carries, about (512 less the relayed prefix and the PRIVMSG command). */
const IRC_LINE_BYTES = 350;

export interface Answer extends SayOptions {
  /** The web page showing this answer in full (a path: "/runs/ofn-server-move-3"). */
  page?: string;
  /** What is said instead of a long answer where it would flood; default its first line. */
  brief?: string;
  /** Where the answer is shortened, the whole of it goes to the asker by private message. */
  privately?: boolean;
  /** The channel's line saying so; default "<nick>: the whole answer is in a private message." */
  privateNote?: string;
}

/** About how many lines the text takes on IRC (long lines are split there). */
export function ircLines(text: string): number {
  return text
    .split(/\r\n|\r|\n/)
    .filter((l) => l.trim())
    .reduce((n, l) => n + Math.max(1, Math.ceil(Buffer.byteLength(l) / IRC_LINE_BYTES)), 0);
}

/** True where a long answer floods: an IRC channel (not a private conversation). */
export function floods(msg: Pick<InboundMessage, "network" | "channel" | "user">): boolean {
  return pacedNetwork(msg.network) && msg.channel !== msg.user.id;
}

/** The page's full address, when the web pages have a public base address. */
export function pageUrl(baseUrl: string | undefined, page: string | undefined): string | undefined {
  return baseUrl && page ? `${baseUrl}${page}` : undefined;
}

/** The link as its own line, before the command output at the end (which Slack shows as a block). */
function withLink(text: string, url: string, outputLines = 0): string {
  if (!outputLines) return `${text}\n${url}`;
  const lines = text.split("\n");
  const at = Math.max(0, lines.length - outputLines);
  return [...lines.slice(0, at), url, ...lines.slice(at)].join("\n");
}

/** The messages that answer `msg` with `text`, by the rule above. */
export function shapeAnswer(
  msg: Pick<InboundMessage, "network" | "channel" | "threadId" | "user">,
  text: string,
  opts: Answer,
  baseUrl: string | undefined,
): OutboundMessage[] {
  const { page, brief, privately, privateNote, ...say } = opts;
  const url = pageUrl(baseUrl, page);
  // Measured only where it could be shortened: most answers have no page and are not private.
  const shorten = floods(msg) && (url !== undefined || privately === true) && ircLines(text) > LONG_LINES;
  if (!shorten) return [replyTo(msg, url ? withLink(text, url, say.outputLines) : text, say)];
  // The brief form is not the words the events render: it goes out as plain text.
  const { outputLines: _whole, events: _words, ...short } = say;
  const summary = [
    brief ?? text.split("\n")[0],
    privately ? (privateNote ?? `${msg.user.display}: the whole answer is in a private message.`) : "",
    url ? `All of it: ${url}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  const out = [replyTo(msg, summary, short)];
  if (privately) out.push(toChannel(msg.network, msg.user.id, text, { kind: say.kind }));
  return out;
}
