import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90m", "1h30m", "48h", "45s", "250ms" → milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  }
  return Math.round(total);
}

/** 14_280_000 → "3h 58m"; 45_000 → "45s"; 0 → "0s". */
export function formatDuration(ms: number): string {
  const neg = ms < 0;
  let rest = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(rest / 86400);
  rest -= d * 86400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s && !d && !h) parts.push(`${s}s`);
  const out = parts.length ? parts.join(" ") : ms !== 0 && Math.abs(ms) < 1000 ? `${Math.abs(ms)}ms` : "0s";
  return neg ? `-${out}` : out;
}

/** A zod field accepting "90m"-style strings or a number of milliseconds. */
export const durationField = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a duration like 90m, 1h30m or 45s, got "${v}"` });
    return z.NEVER;
  }
  return ms;
});
