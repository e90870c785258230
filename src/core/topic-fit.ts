import { ErrorCode, UserError } from "./errors.js";

/**
 * A channel topic as segments joined by " | " (Limnoria's Topic plugin is the
 * model). Segments with an owner ("rc-mode", "downtime") are managed by the bot:
 * people's edits keep them, and only their owner adds or removes them.
 */
export interface TopicSegment {
  text: string;
  owner?: string;
}

export const SEPARATOR = " | ";

export function joinTopic(segments: readonly TopicSegment[]): string {
  return segments.map((s) => s.text).join(SEPARATOR);
}

/**
 * Fits a topic into maxBytes (IRC counts bytes, Slack characters: pass the
 * measure). Managed segments are never shortened; people's segments are
 * dropped from the end, then the last kept one is shortened with "…".
 */
export function fitTopic(
  segments: readonly TopicSegment[],
  max: number,
  measure: (s: string) => number = (s) => Buffer.byteLength(s),
): { text: string; cut: string[] } {
  let work = segments.map((s) => ({ ...s, original: s.text, shortened: false }));
  const cut = new Set<string>();
  while (measure(joinTopic(work)) > max) {
    const i = work.findLastIndex((s) => !s.owner);
    if (i < 0) {
      throw new UserError(
        `the bot's own topic segments (${work.map((m) => quoteStart(m.text)).join(", ")}) are longer than the topic limit of ${max}`,
        ErrorCode.Refused,
      );
    }
    const seg = work[i]!;
    cut.add(seg.original);
    const room = measure(seg.text) - (measure(joinTopic(work)) - max) - measure("…");
    if (!seg.shortened && room >= 8) {
      let t = seg.text;
      while (measure(t) > room) t = [...t].slice(0, -1).join("");
      work[i] = { ...seg, text: `${t.trimEnd()}…`, shortened: true };
    } else {
      work = work.filter((_, j) => j !== i);
    }
  }
  return { text: joinTopic(work), cut: [...cut] };
}

/** How much of each left-out segment the note quotes, and how many it names. */
const QUOTE_CHARS = 60;
const QUOTE_COUNT = 5;

/** A segment in quotes, its first QUOTE_CHARS characters when longer. */
function quoteStart(s: string): string {
  const cps = [...s];
  return `"${cps.length > QUOTE_CHARS ? `${cps.slice(0, QUOTE_CHARS).join("").trimEnd()}…` : s}"`;
}

/**
 * The note that says what fitTopic shortened or left out. It quotes the start of
 * each segment and names a few, however long or many they are: a 4 kB segment
 * someone added must not come back as a reply longer than a network takes.
 */
export function cutNote(cut: readonly string[], max: number): string {
  const named = cut.slice(0, QUOTE_COUNT).map(quoteStart).join(", ");
  const more = cut.length > QUOTE_COUNT ? ` and ${cut.length - QUOTE_COUNT} more` : "";
  return `The topic is limited to ${max} characters here, so I shortened or left out: ${named}${more}`;
}
