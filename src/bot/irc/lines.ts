/**
 * IRC lines are at most 512 bytes including CRLF, and the server relays ours
 * with a ":nick!user@host " prefix that we do not fully control (cloaks). So a
 * message is split into payloads that fit what is left, at word boundaries
 * where it can, never inside a UTF-8 sequence or a grapheme (an emoji stays whole).
 */

export const IRC_LINE_BYTES = 512;
/** Longest host a server may show for us (RFC 1035 label limits; cloaks stay within). */
export const MAX_HOST_BYTES = 63;
/** USERLEN most servers use, plus the "~" of an unverified ident. */
export const MAX_USER_BYTES = 11;

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * Bytes left for the text of `PRIVMSG target :text` as relayed by the server:
 * ":nick!user@host PRIVMSG target :" + text + "\r\n" must fit in 512.
 */
export function payloadBytes(
  nick: string,
  target: string,
  known: { user?: string; host?: string } = {},
  command = "PRIVMSG",
): number {
  const user = Math.max(bytes(known.user ?? ""), MAX_USER_BYTES);
  const host = Math.max(bytes(known.host ?? ""), MAX_HOST_BYTES);
  const overhead = 1 + bytes(nick) + 1 + user + 1 + host + 1 + bytes(command) + 1 + bytes(target) + 2 + 2; // ":" "!" "@" " " " " " :" CRLF
  return Math.max(64, IRC_LINE_BYTES - overhead);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Cuts one line (no newlines) into pieces of at most max bytes. */
function splitLine(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (bytes(rest) > max) {
    let used = 0;
    let cut = 0; // string index where the piece ends
    let lastSpace = -1;
    for (const { segment, index } of segmenter.segment(rest)) {
      const b = bytes(segment);
      if (used + b > max) break;
      used += b;
      cut = index + segment.length;
      if (segment === " ") lastSpace = index;
    }
    if (cut === 0) {
      // One grapheme longer than a line (absurd combining runs): fall back to code points.
      for (const ch of rest) {
        if (used + bytes(ch) > max) break;
        used += bytes(ch);
        cut += ch.length;
      }
    }
    if (lastSpace > 0 && lastSpace >= cut / 2) {
      out.push(rest.slice(0, lastSpace));
      rest = rest.slice(lastSpace + 1);
    } else {
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
  }
  if (rest) out.push(rest);
  return out;
}

/**
 * A message as IRC payloads: one per line of text (empty lines dropped: IRC
 * cannot send them), each long line split to fit `max` bytes.
 */
export function splitMessage(text: string, max: number): string[] {
  return text
    .replace(/\0/g, "")
    .split(/\r\n|\r|\n/)
    .filter((l) => l.trim() !== "")
    .flatMap((l) => splitLine(l, max));
}
