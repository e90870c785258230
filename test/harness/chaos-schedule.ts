import fc from "fast-check";

/**
 * The chaos drill's schedule: which failures happen, in which order, after how
 * long, drawn from fast-check's seeded generator (fc.sample with a seed gives
 * the same values for the same seed on every machine), so `--seed N` draws the
 * same schedule again. What is drawn is the order and the gaps; how long each
 * event then takes (a bot's restart) is up to the machine, so a rerun repeats
 * the schedule, not the timing.
 */
export type ChaosKind = "kill" | "irc" | "sshd" | "partition";

export interface ChaosEvent {
  /** 1-based position in the schedule. */
  n: number;
  kind: ChaosKind;
  /** Quiet time before it, counted from the end of the event before it (or from the run's start). */
  gapMs: number;
  /** kill/irc/sshd: how long the thing stays down; partition: how long Redis is unreachable. */
  downMs: number;
}

export interface ChaosSize {
  kills: number;
  ircRestarts: number;
  sshdRestarts: number;
  partitions: number;
  /** Bounds of the quiet time between two events. */
  minGapMs?: number;
  maxGapMs?: number;
}

const DOWN: Record<ChaosKind, [number, number]> = {
  kill: [0, 2_000],
  irc: [200, 3_000],
  sshd: [200, 3_000],
  // Longer than the bot's Redis command timeout now and then, so both a short stall and a reconnect happen.
  partition: [500, 6_000],
};

export function drawSchedule(seed: number, size: ChaosSize): ChaosEvent[] {
  const kinds: ChaosKind[] = [
    ...Array<ChaosKind>(size.kills).fill("kill"),
    ...Array<ChaosKind>(size.ircRestarts).fill("irc"),
    ...Array<ChaosKind>(size.sshdRestarts).fill("sshd"),
    ...Array<ChaosKind>(size.partitions).fill("partition"),
  ];
  const n = kinds.length;
  const minGap = size.minGapMs ?? 1_000;
  const maxGap = size.maxGapMs ?? 6_000;
  const arb = fc.record({
    // A permutation: a random key per event, events sorted by it.
    order: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: n, maxLength: n }),
    gaps: fc.array(fc.integer({ min: minGap, max: maxGap }), { minLength: n, maxLength: n }),
    // Shares of each kind's range in thousandths (fc.double spreads over the floats' bit patterns, mostly near 0).
    downs: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: n, maxLength: n }),
  });
  // Unbiased: fast-check otherwise favours edge values (every gap the minimum), which a schedule should not.
  const [drawn] = fc.sample(fc.noBias(arb), { seed, numRuns: 1 });
  const { order, gaps, downs } = drawn!;
  const byKey = kinds
    .map((kind, i) => ({ kind, key: order[i]!, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i);
  return byKey.map(({ kind }, j) => {
    const [lo, hi] = DOWN[kind];
    return { n: j + 1, kind, gapMs: gaps[j]!, downMs: Math.round(lo + (downs[j]! / 1000) * (hi - lo)) };
  });
}

export function describeEvent(e: ChaosEvent): string {
  const what = {
    kill: `kill -9 of the bot, restarted after ${e.downMs} ms`,
    irc: `ngircd killed, back on the same port after ${e.downMs} ms`,
    sshd: `sshd killed, back on the same port and host key after ${e.downMs} ms`,
    partition: `Redis partitioned from the bot for ${e.downMs} ms`,
  }[e.kind];
  return `${String(e.n).padStart(3)}. +${(e.gapMs / 1000).toFixed(1)}s ${what}`;
}
