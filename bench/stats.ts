/** Percentiles and a printed table, shared by the benchmarks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samples: readonly number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? Number.NaN };
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const fmt = (v: string | number) =>
    typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v;
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? "").length)));
  console.log(cols.map((c, i) => c.padEnd(width[i]!)).join("  "));
  for (const r of rows) console.log(cols.map((c, i) => fmt(r[c] ?? "").padEnd(width[i]!)).join("  "));
}

export const ms = (ns: bigint) => Number(ns) / 1e6;

/**
 * One line of `npm run bench`'s table: a figure beside its floor measured in the
 * same run. `goal` is either a ratio to the floor (value / floor ≤ maxRatio), a
 * ceiling (value ≤ max) or a minimum (value ≥ min); without one the row is shown only.
 */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  floor?: number;
  floorLabel?: string;
  goal?: { maxRatio: number } | { max: number } | { min: number };
}

export function ratioOf(f: Figure): number | undefined {
  return f.floor !== undefined && f.floor > 0 ? f.value / f.floor : undefined;
}

export function met(f: Figure): boolean | undefined {
  const g = f.goal;
  if (!g) return undefined;
  if ("maxRatio" in g) {
    const r = ratioOf(f);
    return r !== undefined && r <= g.maxRatio;
  }
  if ("max" in g) return f.value <= g.max;
  return f.value >= g.min;
}

function goalText(f: Figure): string {
  const g = f.goal;
  if (!g) return "-";
  if ("maxRatio" in g) return `≤ ${g.maxRatio}× floor`;
  if ("max" in g) return `≤ ${g.max} ${f.unit}`;
  return `≥ ${g.min} ${f.unit}`;
}

const num = (v: number) =>
  Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2);

/** Prints figures as one table: figure, floor (same run), ratio, goal, met. */
export function printFigures(title: string, figures: readonly Figure[]): void {
  printTable(
    title,
    figures.map((f) => {
      const r = ratioOf(f);
      const m = met(f);
      return {
        figure: f.figure,
        value: `${num(f.value)} ${f.unit}`,
        "floor (same run)":
          f.floor === undefined ? "-" : `${num(f.floor)} ${f.unit} ${f.floorLabel ?? ""}`.trim(),
        ratio: r === undefined ? "-" : `${num(r)}×`,
        goal: goalText(f),
        met: m === undefined ? "-" : m ? "yes" : "NO",
      };
    }),
  );
}

/** True when this module is the script node was started with (a benchmark run alone). */
export function isMain(url: string): boolean {
  return !!process.argv[1] && url === new URL(`file://${process.argv[1]}`).href;
}
