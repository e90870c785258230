import { formatDuration } from "../core/duration.js";
import { runCommand } from "../domain/runbook/actions.js";
import { boundStep } from "../domain/runbook/context.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import { endIteration } from "../domain/runbook/loops.js";
import { runIo, runServices } from "../domain/runbook/rehearsal.js";
import { getRun, updateRun } from "../domain/runbook/state.js";
import { execContextFor } from "./exec-context.js";
import type { JobHandler } from "./runner.js";

/** One iteration of a runbook's background loop (domain/runbook/loops.ts), run as a job. */
export const runbookLoopHandler = (kinds: StepKinds): JobHandler<"runbook-loop"> => ({
  name: "runbook-loop",
  // An iteration the bot was running when it died is counted as interrupted; the next one follows on time.
  idempotent: false,
  async run(job) {
    const s = job.services;
    const { run: key, loop: name, n } = job.data;
    // Under the run's lock: the engine records inFlight only when it writes back the run it enqueued this from.
    const due = await updateRun(s, key, (r) => r.loops[name]?.inFlight === job.record.id);
    const run = due ? await getRun(s, key) : undefined;
    const loop = run?.loops[name];
    if (!run || !loop)
      return { ok: false, summary: "this iteration is no longer due; nothing was run", announce: false };
    const step = boundStep({ services: s, kinds }, run, loop.step);
    if (step.kind !== "loop") return { ok: false, summary: "not a loop step" };
    // A rehearsal's iteration is shown, not run (rehearsal.ts, exec/dispatch.ts).
    const r = await runCommand(
      runServices(s, run, job.record.by, loop.step),
      runIo(s, run, execContextFor(job), job.record.by, loop.step),
      { host: step.host, user: step.user, argv: step.argv },
      step.timeout,
    );
    const counted = await updateRun(s, key, (fresh) =>
      endIteration(fresh, name, job.record.id, r.ok, r.summary),
    );
    if (r.ok) return { ok: true, summary: `loop "${name}" iteration ${n}: ${r.summary}`, announce: false };
    const after = await getRun(s, key);
    const goesOn = counted && after?.status === "active" && !after.loops[name]?.stopped;
    return {
      ok: false,
      summary: `loop "${name}" iteration ${n} failed: ${r.summary}${goesOn ? `; the loop goes on (next within ${formatDuration(loop.every)})` : ""}`,
      output: r.output,
      exit: r.exit,
    };
  },
});
