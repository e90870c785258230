import { parseDuration } from "../core/duration.js";
import { UsageError, UserError } from "../core/errors.js";
import { parseTime } from "../core/time.js";

export interface ScheduleArgs {
  start: number;
  windowMs?: number;
  backup?: number;
  shortNotice: boolean;
  title: string;
}

/**
 * `<start> [window=90m] [backup=<start>] [--short-notice] [title…]`, in any
 * order after the start. A backup time may run over several words
 * (`backup=2026-12-02 14:00 UTC`) or be quoted.
 */
export function parseScheduleArgs(words: readonly string[], usage: string): ScheduleArgs {
  if (!words.length) throw new UsageError("missing the start time", usage);
  const first = parseTime(words);
  const out: ScheduleArgs = { start: first.at, shortNotice: false, title: "" };
  const title: string[] = [];
  let i = first.words;
  while (i < words.length) {
    const w = words[i]!;
    const kv = /^(window|backup)=(.*)$/i.exec(w);
    if (w === "--short-notice") {
      out.shortNotice = true;
      i++;
    } else if (kv?.[1]?.toLowerCase() === "window") {
      const ms = parseDuration(kv[2]!);
      if (!ms)
        throw new UserError(`window=${kv[2]} is not a duration; write it like window=90m or window=2h.`);
      out.windowMs = ms;
      i++;
    } else if (kv) {
      const rest = [...kv[2]!.split(/\s+/).filter(Boolean), ...words.slice(i + 1)];
      const inline = kv[2]!.split(/\s+/).filter(Boolean).length;
      const t = parseTime(rest);
      out.backup = t.at;
      i += 1 + Math.max(0, t.words - inline);
    } else if (w.startsWith("--")) {
      throw new UsageError(`unknown option ${w}`, usage);
    } else {
      title.push(w);
      i++;
    }
  }
  out.title = title.join(" ");
  return out;
}

/** "3" or "#3". */
export function parseDowntimeId(word: string | undefined, usage: string): number {
  const m = /^#?(\d{1,9})$/.exec(word ?? "");
  if (!m) throw new UsageError(word ? `"${word}" is not a downtime id` : "missing the downtime id", usage);
  return Number(m[1]);
}
