import { UserError } from "../../core/errors.js";
import { jobRequest } from "../job-kinds.js";
import { configuredChannels, setManagedSegment } from "../topic-publish.js";
import {
  boundStep,
  type EngineCtx,
  type RunbookEnv,
  runbookOf,
  stepLabel,
  stepName,
  whoHolds,
} from "./context.js";
import { mustBeActive } from "./engine.js";
import type { RunEvent } from "./events.js";
import { nextHintEvent } from "./next.js";
import { jobTag } from "./rehearsal.js";
import { runText } from "./render-text.js";
import { note, type RunState, updateRun } from "./state.js";

/**
 * The backward half (the saga): `undo` runs the newest done step's undo;
 * `rollback` keeps going, newest first, and stops at an irreversible step,
 * saying so; `abort` ends the run and stops its background loops.
 */

const IN_PROGRESS = ["running", "awaiting-ack", "awaiting-confirm", "undoing"];

/**
 * Undoes done steps newest first until one with a real undo has been started
 * (its `undo:` action, or its kind's revert(), as a job; or an action that waits
 * for an ack), an irreversible step is reached, or none is left. Steps that leave
 * nothing to undo (checks, waits, announcements) are marked undone on the way;
 * each undone step's kind may act then (afterUndo: a loop stops). Under the run's lock.
 */
export async function undoNext(ctx: EngineCtx, run: RunState): Promise<RunEvent[]> {
  const s = ctx.services;
  const rb = runbookOf(ctx, run);
  const now = s.clock.now();
  const who = run.rollingBack && run.rollbackBy ? run.rollbackBy : ctx.actor.display;
  const passed: number[] = [];
  for (let i = Math.min(run.cursor, rb.steps.length - 1); i >= 0; i--) {
    const sr = run.steps[i]!;
    if (sr.status === "waiting" && i === run.cursor) {
      sr.status = "pending";
      sr.waitUntil = undefined;
      continue;
    }
    if (sr.status !== "done") continue;
    const step = boundStep(ctx, run, i);
    const kind = ctx.kinds.of(step);
    if (step.irreversible) {
      run.rollingBack = false;
      run.cursor = i + 1;
      note(run, now, ctx.actor.display, `undo stopped at irreversible step ${i + 1}`, i);
      return [
        ...said(passed),
        { type: "rollback-stopped", step: stepLabel(rb, i, step.title) },
        nextHintEvent(ctx, run),
      ];
    }
    const after = kind.afterUndo?.(run, step, now);
    if (!step.undo && !kind.revert) {
      sr.status = "undone";
      sr.undoneAt = now;
      sr.undoBy = who;
      run.cursor = i;
      passed.push(i);
      note(
        run,
        now,
        ctx.actor.display,
        `step ${i + 1} undone (nothing to undo${after ? `; ${after}` : ""})`,
        i,
      );
      continue;
    }
    run.cursor = i;
    sr.status = "undoing";
    sr.undoBy = who;
    const prefix = said(passed);
    const label = stepLabel(rb, i, step.title);
    const action = step.undo && ctx.kinds.of(step.undo);
    if (step.undo && action?.begin === "ack") {
      sr.undoJob = undefined;
      note(run, now, ctx.actor.display, `posted the ${step.undo.kind} undo of step ${i + 1}`, i);
      // Returned, not posted here: it is said once the run is written, after what led to it.
      return [
        ...prefix,
        {
          type: "undo-awaiting-ack",
          step: label,
          prompt: action.prompt!(step.undo),
          acker: whoHolds(s, step.undo.role ?? "losa"),
        },
      ];
    }
    const rec = await ctx.enqueue(
      jobRequest(
        "runbook-step",
        { run: run.key, step: i, mode: "undo", idempotent: false },
        { summary: `${jobTag(run)}${rb.id} undo of ${stepName(rb, i, step.title)}` },
      ),
    );
    sr.undoJob = rec.id;
    note(run, now, ctx.actor.display, `started the undo of step ${i + 1} as #${rec.id}`, i);
    return [...prefix, { type: "undo-begun", step: label, job: rec.id }];
  }
  const rolling = run.rollingBack;
  run.rollingBack = false;
  run.cursor = 0;
  const head: RunEvent[] = [...said(passed), { type: "undo-exhausted" }];
  if (!rolling) return head;
  run.status = "rolled-back";
  run.endedAt = now;
  note(run, now, ctx.actor.display, "rolled back");
  return [...head, { type: "rollback-finished", runbook: run.runbook, seq: run.seq }];
}

const said = (passed: number[]): RunEvent[] =>
  passed.length ? [{ type: "undo-passed", steps: passed.map((i) => i + 1) }] : [];

function mustBeIdle(env: RunbookEnv, run: RunState): void {
  const rb = runbookOf(env, run);
  const i = run.steps.findIndex((x) => IN_PROGRESS.includes(x.status));
  if (i >= 0)
    throw new UserError(
      `${stepName(rb, i, run.params)} is ${run.steps[i]!.status}; finish, skip or wait for it first.`,
    );
}

/** `!migrate undo`: the newest done step's undo. */
export async function undoStepEvents(ctx: EngineCtx, key: string): Promise<RunEvent[]> {
  return updateRun(ctx.services, key, async (run) => {
    mustBeActive(run);
    mustBeIdle(ctx, run);
    run.rollingBack = false;
    delete run.auto; // going back ends run mode
    return undoNext(ctx, run);
  });
}

/** undoStepEvents, in plain text. */
export const undoStep = async (ctx: EngineCtx, key: string): Promise<string> =>
  runText(await undoStepEvents(ctx, key));

/** `!migrate rollback`: undo in reverse order until the start or an irreversible step. */
export async function rollbackEvents(ctx: EngineCtx, key: string): Promise<RunEvent[]> {
  return updateRun(ctx.services, key, async (run) => {
    mustBeActive(run);
    mustBeIdle(ctx, run);
    run.rollingBack = true;
    delete run.auto;
    run.rollbackBy = ctx.actor.display;
    note(run, ctx.services.clock.now(), ctx.actor.display, "rollback started");
    return undoNext(ctx, run);
  });
}

/** rollbackEvents, in plain text. */
export const rollback = async (ctx: EngineCtx, key: string): Promise<string> =>
  runText(await rollbackEvents(ctx, key));

/** An undo is over (its job finished, or its manual step was acked). Under the run's lock. */
export async function finishUndoEvents(
  ctx: EngineCtx,
  run: RunState,
  i: number,
  ok: boolean,
  what: string,
): Promise<RunEvent[]> {
  const s = ctx.services;
  const rb = runbookOf(ctx, run);
  const sr = run.steps[i]!;
  const now = s.clock.now();
  note(run, now, ctx.actor.display, `step ${i + 1} ${what}`, i);
  const step = stepLabel(rb, i, run.params);
  if (!ok) {
    sr.status = "undo-failed";
    run.rollingBack = false;
    return [{ type: "undo-failed", step, what }];
  }
  sr.status = "undone";
  sr.undoneAt = now;
  const head: RunEvent = { type: "undo-done", step, what };
  if (!run.rollingBack) return [head, nextHintEvent(ctx, run)];
  return [head, ...(await undoNext(ctx, run))];
}

/** finishUndoEvents, in plain text. */
export const finishUndo = async (...a: Parameters<typeof finishUndoEvents>): Promise<string> =>
  runText(await finishUndoEvents(...a));

/** `!migrate abort [reason]`: ends the run (its kinds stop what goes on: loops), stops waits, clears its topic segment. */
export async function abortRunEvents(ctx: EngineCtx, key: string, reason: string): Promise<RunEvent[]> {
  const s = ctx.services;
  return updateRun(s, key, async (run) => {
    mustBeActive(run);
    const now = s.clock.now();
    const stopped = ctx.kinds.list.map((k) => k.end?.(run, now, "aborted") ?? "").join("");
    for (const sr of run.steps) if (sr.status === "waiting") sr.status = "pending";
    run.status = "aborted";
    run.endedAt = now;
    run.rollingBack = false;
    note(run, now, ctx.actor.display, `aborted${reason ? `: ${reason}` : ""}`);
    // A rehearsal never set a topic segment (rehearsal.ts): there is none to remove.
    if (!run.rehearsal)
      await setManagedSegment(s, `runbook:${run.runbook}`, undefined, configuredChannels(s));
    const stillRunning = run.steps.filter((x) => x.status === "running").map((x) => x.job!);
    return [
      {
        type: "run-aborted",
        runbook: run.runbook,
        seq: run.seq,
        by: ctx.actor.display,
        reason,
        stopped,
        stillRunning,
      },
    ];
  });
}

/** abortRunEvents, in plain text. */
export const abortRun = async (ctx: EngineCtx, key: string, reason: string): Promise<string> =>
  runText(await abortRunEvents(ctx, key, reason));
