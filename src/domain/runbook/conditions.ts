import type { Runbook } from "../../config/runbook.js";
import { holdsWhen, parseWhen, whenText } from "../../config/runbook-when.js";
import { stepLabel } from "./context.js";
import type { RunEvent } from "./events.js";
import { note, type RunState } from "./state.js";

/**
 * Steps whose `when:` is false for the run's parameters are passed over as the
 * cursor reaches them, the reason recorded, so `next` and `run` never stop at them.
 */

/** Why step i does not apply to this run ("when: component == backend"), or undefined if it does. */
export function notApplicable(
  rb: Runbook,
  i: number,
  params: Readonly<Record<string, string>>,
): string | undefined {
  const w = rb.steps[i]?.when;
  if (w === undefined) return undefined;
  const parsed = parseWhen(w);
  return holdsWhen(parsed, params) ? undefined : `when: ${whenText(parsed)}`;
}

/** Moves the cursor past the steps that do not apply; returns what to say of each. */
export function skipNotApplicable(rb: Runbook, run: RunState, at: number, who: string): RunEvent[] {
  const said: RunEvent[] = [];
  for (;;) {
    const i = run.cursor;
    const sr = run.steps[i];
    if (!sr || !["pending", "undone", "skipped"].includes(sr.status)) return said;
    const why = notApplicable(rb, i, run.params);
    if (!why) return said;
    const param = parseWhen(rb.steps[i]!.when!).param;
    const reason = `${why} is false (${param} is ${run.params[param] ?? "unset"})`;
    sr.status = "skipped";
    sr.note = reason;
    note(run, at, who, `step ${i + 1} skipped: ${reason}`, i);
    said.push({ type: "step-skipped", step: stepLabel(rb, i, run.params), by: who, reason });
    run.cursor = i + 1;
  }
}
