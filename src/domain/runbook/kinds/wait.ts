import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { formatDuration } from "../../../core/duration.js";
import { formatUtcTime as utcTime } from "../../../core/time.js";
import { note } from "../state.js";
import type { StepKind } from "./types.js";

/** A pause: the step waits until its due time (on the bot's clock), and the scheduler tick moves the run on. */
export const waitKind: StepKind<StepOf<"wait">> = {
  name: "wait",
  schema: builtinSchema("wait"),
  describe: (s) => `wait ${formatDuration(s.duration)}`,
  idempotent: true,
  begin: "job",
  async perform(ctx, step) {
    const now = ctx.services.clock.now();
    const until = await ctx.update((r) => {
      const sr = r.steps[ctx.index]!;
      sr.waitUntil ??= now + step.duration;
      sr.status = "waiting";
      note(r, now, ctx.who, `step ${ctx.index + 1} waiting ${formatDuration(step.duration)}`, ctx.index);
      return sr.waitUntil;
    });
    return {
      ok: true,
      summary: `${ctx.name}: waiting ${formatDuration(step.duration)}, until ${utcTime(until)}; the run goes on by itself then.`,
    };
  },
};
