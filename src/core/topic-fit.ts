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
        `the bot's own topic segments (${work.map((m) => `"${m.text}"`).join(", ")}) are longer than the topic limit of ${max}`,
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
