import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { formatDuration } from "../../../core/duration.js";
import { startIteration, tickLoops } from "../loops.js";
import type { StepKind } from "./types.js";

/**
 * A background loop (loops.ts): the step starts it and is done; its iterations
 * run as jobs on the scheduler tick until a stop-loop step, an undo of this
 * step, or the end of the run stops it.
 */
export const loopKind: StepKind<StepOf<"loop">> = {
  name: "loop",
  schema: builtinSchema("loop"),
  describe: (s) =>
    `loop "${s.loop}" every ${formatDuration(s.every)}${s.host ? ` on ${s.host}` : ""}: ${s.argv.join(" ")}`,
  idempotent: true,
  begin: "job",
  // The loop is kept in the run; each iteration's command is shown, not run (jobs/runbook-loop.ts).
  rehearse: "perform",
  async perform(ctx, step) {
    const now = ctx.services.clock.now();
    await ctx.update(async (r) => {
      if (r.loops[step.loop]) return;
      r.loops[step.loop] = {
        name: step.loop,
        step: ctx.index,
        every: step.every,
        nextAt: now,
        iterations: 0,
        failures: 0,
        stopped: false,
        startedAt: now,
      };
      await startIteration(ctx, r, step.loop);
    });
    return {
      ok: true,
      summary: `loop "${step.loop}" started: every ${formatDuration(step.every)} until stopped`,
    };
  },
  afterUndo(run, step, now) {
    const loop = run.loops[step.loop];
    if (loop && !loop.stopped) {
      loop.stopped = true;
      loop.stoppedAt = now;
    }
    return "loop stopped";
  },
  tick: (env, run) => tickLoops(env, run),
  end(run, now, how) {
    const open = Object.values(run.loops).filter((l) => !l.stopped);
    for (const l of open) {
      l.stopped = true;
      l.stoppedAt = now;
    }
    if (!open.length) return "";
    return how === "finished"
      ? ` Stopped the loop(s) still running: ${open.map((l) => l.name).join(", ")}.`
      : ` Stopped loop(s): ${open.map((l) => `${l.name} (${l.iterations} iterations)`).join(", ")}.`;
  },
};
