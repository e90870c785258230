import { OFF_TRACK_DEFAULT } from "../../config/runbook.js";
import { formatDuration } from "../../core/duration.js";
import { type RunbookEnv, runbookOf } from "./context.js";
import { defaultAbortRule, slippage } from "./estimate.js";
import type { RunEvent } from "./events.js";
import { note, type RunState } from "./state.js";

/**
 * The off-track rule (seed 001), measured: on each scheduler tick, a run inside
 * its downtime that has fallen more than its runbook's `offTrack` behind the
 * plan (estimate.ts slippage) raises the alarm, once per run, with the
 * runbook's abort rule. Under the run's lock; the time is services.clock.
 */
export async function offTrackAlarm(env: RunbookEnv, run: RunState): Promise<RunEvent[]> {
  if (run.status !== "active" || run.downtime.offTrackAt !== undefined) return [];
  const rb = runbookOf(env, run);
  const now = env.services.clock.now();
  const slip = slippage(rb, run, now);
  if (!slip || slip.behind <= (rb.offTrack ?? OFF_TRACK_DEFAULT)) return [];
  run.downtime.offTrackAt = now;
  note(run, now, env.services.config.name, `off track: ${formatDuration(slip.behind)} behind the plan`);
  return [
    {
      type: "run-off-track",
      runbook: rb.id,
      seq: run.seq,
      ...slip,
      rule: rb.abortRule ?? defaultAbortRule(slip.offTrack),
      downtime: run.downtime.linked,
    },
  ];
}
