import { OFF_TRACK_DEFAULT, type Runbook } from "../../config/runbook.js";
import { formatDuration } from "../../core/duration.js";
import { notApplicable } from "./conditions.js";
import type { RunState } from "./state.js";

/**
 * The plan in time: each step's `estimate:` added up, for the whole run and for
 * the downtime between its markers; and, while a run is inside its downtime,
 * how far it has fallen behind that plan (the off-track rule of seed 001).
 * Pure: the time is a parameter.
 */

export interface PlanTimes {
  /** The estimates of every step that applies to the run's parameters. */
  total: number;
  /** Of the steps between the downtime markers; undefined without a downtime-start marker. */
  downtime?: number;
  /** Steps that apply but have no estimate. */
  unestimated: number;
}

/** The first downtime-start marker and the downtime-end after it (or the end of the runbook). */
export function downtimeSpan(rb: Runbook): { from: number; to: number } | undefined {
  const from = rb.steps.findIndex((s) => s.kind === "downtime-start");
  if (from < 0) return undefined;
  const end = rb.steps.findIndex((s, i) => i > from && s.kind === "downtime-end");
  return { from, to: end < 0 ? rb.steps.length : end };
}

/** The run's plan in time, or undefined when no step has an estimate. */
export function planTimes(rb: Runbook, params: Readonly<Record<string, string>>): PlanTimes | undefined {
  if (!rb.steps.some((s) => s.estimate !== undefined)) return undefined;
  const span = downtimeSpan(rb);
  let total = 0;
  let downtime = span ? 0 : undefined;
  let unestimated = 0;
  rb.steps.forEach((s, i) => {
    if (notApplicable(rb, i, params)) return;
    if (s.estimate === undefined) {
      if (!s.kind.startsWith("downtime-")) unestimated++;
      return;
    }
    total += s.estimate;
    if (span && downtime !== undefined && i > span.from && i < span.to) downtime += s.estimate;
  });
  return { total, downtime, unestimated };
}

/** "plan: 1h 40m in all, 35m of downtime (2 steps without an estimate)". */
export function planTimesText(p: PlanTimes): string {
  const down = p.downtime !== undefined ? `, ${formatDuration(p.downtime)} of downtime` : "";
  const without = p.unestimated
    ? ` (${p.unestimated} step${p.unestimated > 1 ? "s" : ""} without an estimate)`
    : "";
  return `plan: ${formatDuration(p.total)} in all${down}${without}`;
}

export interface Slippage {
  /** When the downtime marker was passed. */
  since: number;
  /** Time since then. */
  elapsed: number;
  /** What the plan allowed for the steps after the marker as far as the run has come. */
  planned: number;
  /** elapsed - planned: how far behind the plan the run is (negative: ahead). */
  behind: number;
  /** The runbook's offTrack. */
  offTrack: number;
}

const OVER = ["done", "skipped"];
const UNDER_WAY = ["running", "awaiting-ack", "waiting", "undoing"];

/**
 * How far a run inside its downtime is behind its plan at `now`: the time since
 * the downtime marker against the estimates of the steps after it that are over,
 * plus, for a step under way, its time so far up to its estimate (a step within
 * its estimate is on plan; beyond it, every minute is slippage, as is time spent
 * between steps). Steps that do not apply to the run count for nothing.
 * Undefined outside the downtime.
 */
export function slippage(rb: Runbook, run: RunState, now: number): Slippage | undefined {
  const since = run.downtime.start;
  const span = downtimeSpan(rb);
  if (since === undefined || run.downtime.end !== undefined || !span) return undefined;
  let planned = 0;
  for (let i = span.from + 1; i < rb.steps.length; i++) {
    const sr = run.steps[i];
    const est = rb.steps[i]!.estimate ?? 0;
    if (!sr || notApplicable(rb, i, run.params)) continue;
    if (OVER.includes(sr.status)) planned += est;
    else if (UNDER_WAY.includes(sr.status) && sr.startedAt !== undefined)
      planned += Math.min(est, Math.max(0, now - sr.startedAt));
  }
  const elapsed = now - since;
  return { since, elapsed, planned, behind: elapsed - planned, offTrack: rb.offTrack ?? OFF_TRACK_DEFAULT };
}

/** The alarm's rule when the runbook gives none (seed 001). */
export const defaultAbortRule = (offTrack: number) =>
  `More than ${formatDuration(offTrack)} off track: abort the change if it can still be aborted, and announce the next attempt.`;
