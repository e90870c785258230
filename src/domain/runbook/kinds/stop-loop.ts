import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import type { StepKind } from "./types.js";

/** Stops a loop an earlier loop step started; an iteration still running finishes. */
export const stopLoopKind: StepKind<StepOf<"stop-loop">> = {
  name: "stop-loop",
  schema: builtinSchema("stop-loop"),
  describe: (s) => `stop loop "${s.loop}"`,
  idempotent: true,
  begin: "job",
  rehearse: "perform",
  perform: (ctx, step) =>
    ctx.update((r) => {
      const l = r.loops[step.loop];
      if (!l) return { ok: true, summary: `loop "${step.loop}" was not running` };
      if (!l.stopped) {
        l.stopped = true;
        l.stoppedAt = ctx.services.clock.now();
      }
      return {
        ok: true,
        summary: `loop "${step.loop}" stopped after ${l.iterations} iteration(s), ${l.failures} failed${l.inFlight ? ` (#${l.inFlight} still finishing)` : ""}`,
      };
    }),
};
