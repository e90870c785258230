import { PermissionError } from "../../core/errors.js";
import { jobRequest } from "../job-kinds.js";
import {
  boundStep,
  describeStep,
  type EngineCtx,
  holds,
  runbookOf,
  stepLabel,
  stepName,
  whoHolds,
} from "./context.js";
import type { RunEvent } from "./events.js";
import { jobTag } from "./rehearsal.js";
import { note, type RunState } from "./state.js";

/**
 * Beginning a step, as `next`, `confirm`, `retry` and run mode do: an
 * irreversible step first asks for its confirm; a step that waits for an ack is
 * prompted; any other starts the job that does it. Called under the run's lock;
 * what to say is returned, never sent from inside the lock.
 */

/**
 * Does step i (the cursor), as `next` does: refused to someone without the
 * step's role; an irreversible step first waits for a confirm. Under the run's
 * lock; returns what to say.
 */
export async function askStep(ctx: EngineCtx, run: RunState, i: number): Promise<RunEvent[]> {
  const s = ctx.services;
  const rb = runbookOf(ctx, run);
  const sr = run.steps[i]!;
  const step = boundStep(ctx, run, i);
  // The role of a step that waits for an ack says who acks it, not who may begin it.
  if (ctx.kinds.of(step).begin !== "ack" && step.role && !holds(ctx.actor, step.role))
    throw new PermissionError(
      `${stepName(rb, i, run.params)} may only be run by ${whoHolds(s, step.role)}. Nothing was run.`,
    );
  sr.by = ctx.actor.display;
  sr.byId = ctx.actor.id;
  if (step.irreversible) {
    sr.status = "awaiting-confirm";
    note(run, s.clock.now(), ctx.actor.display, `asked for irreversible step ${i + 1}`, i);
    const second = s.config.twoPersonRule ? `someone other than ${ctx.actor.display}` : "a losa or lead";
    return [
      {
        type: "step-awaiting-confirm",
        step: stepLabel(rb, i, step.title),
        describe: describeStep(ctx, step),
        confirmer: second,
      },
    ];
  }
  return beginStepEvents(ctx, run, i);
}

/**
 * Marks a step that waits for an ack as waiting, or starts the job that does it.
 * Called under the run's lock; returns what to say (the ack prompt), which the
 * caller says once the run is written, so nobody sees a prompt the run does not yet show.
 */
export async function beginStepEvents(ctx: EngineCtx, run: RunState, i: number): Promise<RunEvent[]> {
  const s = ctx.services;
  const rb = runbookOf(ctx, run);
  const step = boundStep(ctx, run, i);
  const kind = ctx.kinds.of(step);
  const sr = run.steps[i]!;
  sr.startedAt = s.clock.now();
  if (kind.begin === "ack") {
    sr.status = "awaiting-ack";
    note(run, sr.startedAt, ctx.actor.display, `posted ${step.kind} step ${i + 1}`, i);
    return [
      {
        type: "step-awaiting-ack",
        step: stepLabel(rb, i, step.title),
        prompt: kind.prompt!(step),
        acker: whoHolds(s, step.role ?? "losa"),
      },
    ];
  }
  sr.status = "running";
  const idempotent = step.idempotent || kind.idempotent;
  const rec = await ctx.enqueue(
    jobRequest(
      "runbook-step",
      { run: run.key, step: i, mode: "do", idempotent },
      { summary: `${jobTag(run)}${rb.id} ${stepName(rb, i, step.title)}: ${kind.describe(step)}` },
    ),
  );
  sr.job = rec.id;
  if (!sr.jobs.includes(rec.id)) sr.jobs.push(rec.id);
  return [];
}
