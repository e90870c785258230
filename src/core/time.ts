import { DateTime, IANAZone } from "luxon";
import { formatDuration } from "./duration.js";
import { UserError } from "./errors.js";

/**
 * Times as people type them in chat: ISO 8601 ("2026-12-01T14:00Z",
 * "2026-12-01T15:00+01:00"), "2026-12-01 14:00 UTC", and zone names
 * ("2026-12-01 14:00 Europe/London"). A time without a zone is refused: a
 * downtime's start must never depend on where the bot runs.
 */
export interface ParsedTime {
  at: number;
  /** How many words of the input made up the time. */
  words: number;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(:\d{2})?)$/;

function parseLocal(dateTime: string, zone: string): number | undefined {
  const m = DATE_TIME.exec(dateTime);
  if (!m) return undefined;
  const z = /^(UTC|Z|GMT)$/i.test(zone) ? "UTC" : zone;
  if (z !== "UTC" && !IANAZone.isValidZone(z)) return undefined;
  const dt = DateTime.fromISO(`${m[1]}T${m[2]!.padStart(5, "0")}`, { zone: z });
  return dt.isValid ? dt.toMillis() : undefined;
}

/** Parses a time from the start of words; throws a UserError naming the accepted forms. */
export function parseTime(words: readonly string[]): ParsedTime {
  const [a, b, c] = words;
  if (a && /\s/.test(a.trim())) {
    // A quoted time: "2026-12-01 14:00 UTC" arrives as one word.
    const parts = a.trim().split(/\s+/);
    const r = parseTime(parts);
    if (r.words === parts.length) return { at: r.at, words: 1 };
  }
  if (a && b && c && /^\d{4}-\d{2}-\d{2}$/.test(a)) {
    const at = parseLocal(`${a} ${b}`, c);
    if (at !== undefined) return { at, words: 3 };
    if (/^\d{1,2}:\d{2}(:\d{2})?$/.test(b))
      throw new UserError(`"${c}" is not a time zone; use UTC or a zone name like Europe/London.`);
  }
  if (a && /^\d{4}-\d{2}-\d{2}T/.test(a)) {
    const dt = DateTime.fromISO(a, { setZone: true });
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(a);
    if (dt.isValid && zoned) return { at: dt.toMillis(), words: 1 };
    if (dt.isValid && b && parseLocal(a.replace("T", " ").slice(0, 16), b) !== undefined) {
      return { at: parseLocal(a.replace("T", " ").slice(0, 16), b)!, words: 2 };
    }
    if (dt.isValid) throw new UserError(`"${a}" has no time zone; add Z, an offset like +01:00, or UTC.`);
  }
  throw new UserError(
    `"${words.slice(0, 3).join(" ")}" is not a time I understand; use 2026-12-01T14:00Z, "2026-12-01 14:00 UTC" or "2026-12-01 14:00 Europe/London".`,
  );
}

/*
 * Formatting: every time the bot writes, for people or machines, is formatted
 * here, always in UTC.
 */

/** "2026-12-01T14:00:05.000Z": for machines (audit log, webhook bodies, log fields). */
export const isoTime = (t: number): string => new Date(t).toISOString();

/** "2026-12-01 14:00 UTC" */
export function formatUtc(t: number): string {
  return `${isoTime(t).slice(0, 16).replace("T", " ")} UTC`;
}

/** "14:00" (the clock time alone, UTC; the caller says "UTC" once for a range). */
export const formatHhmm = (t: number): string => isoTime(t).slice(11, 16);

/** "14:00:05 UTC" */
export const formatUtcTime = (t: number): string => `${isoTime(t).slice(11, 19)} UTC`;

/** "2026-12-01 14:00:05 UTC" */
export const formatUtcStamp = (t: number): string => `${isoTime(t).slice(0, 19).replace("T", " ")} UTC`;

/** "in 3h 58m" or "3h 58m ago" */
export function relative(t: number, now: number): string {
  const d = t - now;
  if (Math.abs(d) < 30_000) return "now";
  const minutes = Math.round(Math.abs(d) / 60_000) * 60_000;
  const text = formatDuration(minutes || Math.abs(d));
  return d > 0 ? `in ${text}` : `${text} ago`;
}

/** "2026-12-01 14:00 UTC (in 3h 58m)" */
export const when = (t: number, now: number) => `${formatUtc(t)} (${relative(t, now)})`;

/** A time said in a text, where it is and the instant it names. */
export interface TimeSpan {
  /** Where the time's text starts and ends in the text. */
  start: number;
  end: number;
  at: number;
  /** The UTC text as said. */
  text: string;
  /** Said as a clock time after a range's start ("–16:00 UTC"), whose date it shares. */
  clockOnly?: boolean;
}

/** formatUtc's output, and a range's end after it ("…14:00 UTC–16:00 UTC"). */
const SAID_UTC = /(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}) UTC(?:–(\d{2}):(\d{2}) UTC)?/g;

/**
 * The times formatUtc (and a window's end by formatHhmm after it) put in a text,
 * with their instants: the inverse of those formatters, exact because what they
 * write is UTC to the minute. A network that shows times in each reader's own
 * zone (Slack's `<!date^…>`) reads them back with this.
 */
export function timesIn(text: string): TimeSpan[] {
  const out: TimeSpan[] = [];
  for (const m of text.matchAll(SAID_UTC)) {
    const [all, day, hh, mm, eh, em] = m;
    const at = Date.parse(`${day}T${hh}:${mm}:00Z`);
    if (Number.isNaN(at)) continue;
    const first = `${day} ${hh}:${mm} UTC`;
    out.push({ start: m.index, end: m.index + first.length, at, text: first });
    if (eh && em) {
      let endAt = Date.parse(`${day}T${eh}:${em}:00Z`);
      if (endAt <= at) endAt += 86_400_000;
      const from = m.index + first.length + 1;
      out.push({
        start: from,
        end: m.index + all.length,
        at: endAt,
        text: `${eh}:${em} UTC`,
        clockOnly: true,
      });
    }
  }
  return out;
}
