import { jobRequest } from "../job-kinds.js";
import { botEnqueue, boundStep } from "./context.js";
import type { RunEvent } from "./events.js";
import type { RunbookEnv } from "./kinds/types.js";
import { jobTag } from "./rehearsal.js";
import type { RunState } from "./state.js";

/**
 * Background loops (seed 000's rsync loop): started by a loop step, one
 * iteration at a time as a job, the next one due `every` after the previous
 * one began (or at once if it ran longer), until a stop-loop step or abort.
 * Due times live in the run in Redis; the scheduler tick (tick.ts, through the
 * loop kind's tick, kinds/loop.ts) starts
 * iterations that are due, on the bot's clock. A failed iteration is reported
 * and the loop goes on; so does one interrupted by a restart (it is not re-run).
 */

/** Starts the loop's next iteration as a job. Under the run's lock. */
export async function startIteration(env: RunbookEnv, run: RunState, name: string): Promise<void> {
  const s = env.services;
  const loop = run.loops[name]!;
  const n = loop.iterations + 1;
  const step = boundStep(env, run, loop.step);
  if (step.kind !== "loop") return;
  const rec = await botEnqueue(
    s,
    run,
  )(
    jobRequest(
      "runbook-loop",
      { run: run.key, loop: name, n },
      { summary: `${jobTag(run)}${run.runbook} loop "${name}" iteration ${n}: ${step.argv.join(" ")}` },
    ),
  );
  loop.inFlight = rec.id;
  loop.nextAt = s.clock.now() + loop.every;
}

/** Counts an iteration that ended; the caller reports it. Under the run's lock. */
export function endIteration(run: RunState, name: string, job: number, ok: boolean, line: string): boolean {
  const loop = run.loops[name];
  if (!loop || loop.inFlight !== job) return false;
  loop.inFlight = undefined;
  loop.iterations++;
  if (!ok) loop.failures++;
  loop.last = line;
  return true;
}

/** Loop work for the tick: count iterations lost to a restart, start the ones that are due. */
export async function tickLoops(env: RunbookEnv, run: RunState): Promise<RunEvent[]> {
  const s = env.services;
  const said: RunEvent[] = [];
  const now = s.clock.now();
  for (const loop of Object.values(run.loops)) {
    if (loop.inFlight !== undefined) {
      const rec = await s.jobs.get(loop.inFlight);
      if (rec && (rec.state === "interrupted" || rec.state === "cancelled")) {
        endIteration(run, loop.name, loop.inFlight, false, `iteration #${rec.id} ${rec.state}`);
        said.push({ type: "loop-interrupted", loop: loop.name, iteration: loop.iterations, job: rec.id });
      } else continue;
    }
    if (loop.stopped || run.status !== "active") continue;
    if (now >= loop.nextAt) await startIteration(env, run, loop.name);
  }
  return said;
}
