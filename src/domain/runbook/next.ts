import { boundStep, describeStep, type RunbookEnv, runbookOf, stepLabel } from "./context.js";
import { planTimes, planTimesText } from "./estimate.js";
import type { RunEvent } from "./events.js";
import { renderRunEvent } from "./render-text.js";
import { describeKinds, planLines } from "./report.js";
import type { RunState } from "./state.js";

/** What comes next in a run, as events: the hint after each step, and the plan when it starts. */

/** What `!migrate next` would do now, or that the run is over. */
export function nextHintEvent(env: RunbookEnv, run: RunState): RunEvent {
  const rb = runbookOf(env, run);
  if (run.status !== "active" || run.cursor >= rb.steps.length)
    return { type: "next-hint", status: run.status };
  const st = boundStep(env, run, run.cursor);
  const step = stepLabel(rb, run.cursor, st.title);
  return {
    type: "next-hint",
    status: run.status,
    next: { step, describe: describeStep(env, st), irreversible: st.irreversible },
  };
}

/** "Next: step 7/13 … — !migrate next", or that the run is over. */
export const nextHint = (env: RunbookEnv, run: RunState): string => renderRunEvent(nextHintEvent(env, run));

const estimateLine = (rb: ReturnType<typeof runbookOf>, params: Record<string, string>) => {
  const p = planTimes(rb, params);
  return p && planTimesText(p);
};

/** What `!migrate start` says of a run just started: its plan, and what comes first. */
export function runStarted(env: RunbookEnv, run: RunState): RunEvent[] {
  const rb = runbookOf(env, run);
  return [
    {
      type: "run-started",
      runbook: rb.id,
      seq: run.seq,
      by: run.startedBy,
      title: rb.title,
      counts: describeKinds(env.kinds, rb),
      estimate: estimateLine(rb, run.params),
      plan: planLines(env.kinds, rb, run.params),
    },
    nextHintEvent(env, run),
  ];
}
