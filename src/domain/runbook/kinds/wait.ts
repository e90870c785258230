import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { formatDuration } from "../../../core/duration.js";
import { formatUtcTime as utcTime } from "../../../core/time.js";
import { note } from "../state.js";
import type { PerformContext, StepKind } from "./types.js";

/** How long a wait lasts in a rehearsal. */
export const REHEARSAL_WAIT_MS = 1000;

/** A pause: the step waits until its due time (on the bot's clock), and the scheduler tick moves the run on. */
export const waitKind: StepKind<StepOf<"wait">> = {
  name: "wait",
  schema: builtinSchema("wait"),
  describe: (s) => `wait ${formatDuration(s.duration)}`,
  idempotent: true,
  begin: "job",
  perform: (ctx, step) => waitFor(ctx, step.duration),
  // A rehearsal's wait is cut short: it still waits (and goes on by itself), for a second.
  rehearse: async (ctx, step) => {
    const out = await waitFor(ctx, Math.min(step.duration, REHEARSAL_WAIT_MS));
    return { ...out, summary: `${out.summary} (the runbook's wait is ${formatDuration(step.duration)})` };
  },
};

async function waitFor(ctx: PerformContext, ms: number) {
  const now = ctx.services.clock.now();
  const until = await ctx.update((r) => {
    const sr = r.steps[ctx.index]!;
    sr.waitUntil ??= now + ms;
    sr.status = "waiting";
    note(r, now, ctx.who, `step ${ctx.index + 1} waiting ${formatDuration(ms)}`, ctx.index);
    return sr.waitUntil;
  });
  return {
    ok: true,
    summary: `${ctx.name}: waiting ${formatDuration(ms)}, until ${utcTime(until)}; the run goes on by itself then.`,
  };
}
