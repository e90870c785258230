import { PermissionError, UserError } from "../../core/errors.js";
import { beginStepEvents } from "./begin.js";
import { boundStep, type EngineCtx, holds, stepName, whoHolds } from "./context.js";
import { completeStep, onActiveRun } from "./engine.js";
import type { RunEvent } from "./events.js";
import { runText } from "./render-text.js";
import { goOn } from "./run-mode.js";
import { note } from "./state.js";
import { finishUndoEvents } from "./undo.js";

/**
 * What people answer a run with: confirm an irreversible step, acknowledge one
 * that waits for an ack (a manual step), retry a failed or interrupted step, skip one with a reason.
 */

/** `!migrate confirm`: a second person lets an irreversible step run. Returns what to say. */
export function confirmStep(ctx: EngineCtx, key: string): Promise<RunEvent[]> {
  const s = ctx.services;
  return onActiveRun(ctx, key, async (run, rb) => {
    const i = run.cursor;
    const sr = run.steps[i];
    if (sr?.status !== "awaiting-confirm") throw new UserError("No step is waiting for a confirm.");
    if (s.config.twoPersonRule && sr.byId === ctx.actor.id)
      throw new PermissionError(
        `You asked for ${stepName(rb, i, run.params)}; the two-person rule needs someone else to confirm it. Nothing was run.`,
      );
    const step = boundStep(ctx, run, i);
    if (step.role && !holds(ctx.actor, step.role))
      throw new PermissionError(
        `${stepName(rb, i, run.params)} must be confirmed by ${whoHolds(s, step.role)}.`,
      );
    sr.confirmBy = ctx.actor.display;
    note(run, s.clock.now(), ctx.actor.display, `confirmed irreversible step ${i + 1}`, i);
    return beginStepEvents(ctx, run, i);
  });
}

/** `!migrate ack [note]`: someone holding the step's role says the manual step (or manual undo) is done. */
export async function ackStepEvents(ctx: EngineCtx, key: string, text: string): Promise<RunEvent[]> {
  const s = ctx.services;
  return onActiveRun(ctx, key, async (run, rb) => {
    const i = run.steps.findIndex(
      (x, j) => x.status === "awaiting-ack" || (x.status === "undoing" && !x.undoJob && !!rb.steps[j]!.undo),
    );
    if (i < 0) throw new UserError("No manual step is waiting for an acknowledgement.");
    const sr = run.steps[i]!;
    const step = boundStep(ctx, run, i);
    const undo = sr.status === "undoing";
    const role = (undo ? step.undo?.role : step.role) ?? "losa";
    if (!holds(ctx.actor, role))
      throw new PermissionError(
        `Only ${whoHolds(s, role)} may acknowledge ${stepName(rb, i, run.params)}; you (${ctx.actor.id}) have ${ctx.actor.roles.join(", ") || "no roles"}.`,
      );
    if (undo) {
      return finishUndoEvents(
        ctx,
        run,
        i,
        true,
        `undone, acknowledged by ${ctx.actor.display}${text ? `: ${text}` : ""}`,
      );
    }
    sr.ackBy = ctx.actor.display;
    sr.note = text || undefined;
    return completeStep(ctx, run, i, ctx.actor.display, {
      how: "acked",
      by: ctx.actor.display,
      ...(text ? { note: text } : {}),
    });
  });
}

/** ackStepEvents, in plain text. */
export const ackStep = async (ctx: EngineCtx, key: string, text: string): Promise<string> =>
  runText(await ackStepEvents(ctx, key, text));

/** `!migrate retry`: runs a failed or interrupted step again. Returns what to say. */
export function retryStep(ctx: EngineCtx, key: string): Promise<RunEvent[]> {
  const s = ctx.services;
  return onActiveRun(ctx, key, async (run, rb) => {
    const i = run.cursor;
    const sr = run.steps[i];
    if (!sr || (sr.status !== "failed" && sr.status !== "interrupted"))
      throw new UserError(
        `Only a failed or interrupted step can be retried; ${stepName(rb, Math.min(i, rb.steps.length - 1))} is ${sr?.status ?? "done"}.`,
      );
    if (sr.status === "interrupted" && sr.job)
      await s.jobs.update(sr.job, { resolution: `retried with !migrate retry by ${ctx.actor.display}` });
    note(run, s.clock.now(), ctx.actor.display, `retried step ${i + 1}`, i);
    sr.by = ctx.actor.display;
    return beginStepEvents(ctx, run, i);
  });
}

/** `!migrate skip <reason>`: passes over the current step, with the reason recorded. */
export async function skipStepEvents(ctx: EngineCtx, key: string, reason: string): Promise<RunEvent[]> {
  return onActiveRun(ctx, key, async (run, rb) => {
    const i = run.cursor;
    const sr = run.steps[i];
    if (!sr) throw new UserError("All steps are done; nothing to skip.");
    if (["running", "undoing"].includes(sr.status))
      throw new UserError(
        `${stepName(rb, i, run.params)} is ${sr.status} as #${sr.job}; it cannot be skipped now.`,
      );
    const said = completeStep(ctx, run, i, ctx.actor.display, {
      how: "skipped",
      by: ctx.actor.display,
      reason,
    });
    sr.status = "skipped";
    sr.note = reason;
    sr.waitUntil = undefined;
    return goOn(ctx, run, said);
  });
}

/** skipStepEvents, in plain text. */
export const skipStep = async (ctx: EngineCtx, key: string, reason: string): Promise<string> =>
  runText(await skipStepEvents(ctx, key, reason));
