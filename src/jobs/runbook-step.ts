import type { Outcome } from "../core/result.js";
import type { JobKinds } from "../domain/job-kinds.js";
import {
  actionsFor,
  botActor,
  botEnqueue,
  boundStep,
  emit,
  type RunbookEnv,
  runbookOf,
  stepName,
} from "../domain/runbook/context.js";
import { completeStep } from "../domain/runbook/engine.js";
import type { RunEvent } from "../domain/runbook/events.js";
import type { PerformContext, StepKinds } from "../domain/runbook/kinds/types.js";
import { marked, performStep, revertStep } from "../domain/runbook/rehearsal.js";
import { oneLineStep, pacedNetwork, runText } from "../domain/runbook/render-text.js";
import { finishAndGoOn, goOn } from "../domain/runbook/run-mode.js";
import { getRun, note, type RunState, updateRun } from "../domain/runbook/state.js";
import { finishUndoEvents } from "../domain/runbook/undo.js";
import type { Services } from "../domain/services.js";
import type { JobRecord } from "../infra/job-store.js";
import { execContextFor } from "./exec-context.js";
import type { JobContext, JobHandler } from "./runner.js";

/**
 * The job that does one step of a run (or its undo): it asks the step's kind
 * to perform it (the `undo:` action's kind, or the step kind's revert(), for an
 * undo), records the outcome in the run and, in the same chat line as the
 * result, says what comes next. A step the bot was running when it died is not
 * re-run: the runner marks the job interrupted, and `!job done` / `!job retry`
 * (onResolved) move the run on.
 */

type StepData = JobKinds["runbook-step"];

function performContext(
  job: JobContext<"runbook-step">,
  env: RunbookEnv,
  run: RunState,
  i: number,
  direction: "do" | "undo",
  quiet = false,
): PerformContext {
  const rb = runbookOf(env, run);
  const io = execContextFor(job);
  return {
    ...env,
    // A step run mode reports in one line says nothing while it runs (its output is in its log).
    io: quiet ? { ...io, progress: async () => {} } : io,
    run,
    index: i,
    name: stepName(rb, i, boundStep(env, run, i).title),
    ref: `rb-${run.runbook}-${run.seq}-${i}-${direction}`,
    who: job.record.by,
    update: (fn) => updateRun(env.services, run.key, fn),
  };
}

async function doStep(job: JobContext<"runbook-step">, env: RunbookEnv, d: StepData): Promise<Outcome> {
  const s = env.services;
  const id = job.record.id;
  const ready = await updateRun(s, d.run, (run) => {
    const sr = run.steps[d.step];
    if (run.status !== "active" || !sr || !["running", "interrupted", "failed"].includes(sr.status))
      return false;
    sr.status = "running";
    sr.job = id;
    if (!sr.jobs.includes(id)) sr.jobs.push(id);
    return true;
  });
  if (!ready) return { ok: false, summary: "this step is no longer the run's current step; nothing was run" };
  const run = (await getRun(s, d.run))!;
  const step = boundStep(env, run, d.step);
  const kind = env.kinds.of(step);
  if (!kind.perform) throw new Error(`a ${step.kind} step is not done by a job`);
  // Run mode on a paced network (IRC): a step that goes well is one line; a failure keeps its output.
  const brief = run.auto !== undefined && pacedNetwork(run.network);
  // A rehearsal's step is rehearsed (rehearsal.ts): nothing is run, whatever the kind.
  const pc = performContext(job, env, run, d.step, "do", brief);
  const result: Outcome = await performStep(kind, pc, step);
  // A step that is no longer running went on otherwise (a wait is waiting; it was skipped).
  const events = await finishAndGoOn(env, d.run, d.step, id, job.record.by, result);
  if (brief && result.ok) {
    const { output: _inTheLog, ...rest } = result;
    const said = marked(run, events);
    return { ...rest, summary: oneLineStep(result.summary, said), events: said, actions: actionsFor(said) };
  }
  return saying(run, result, events);
}

/** The step's outcome, with what the run says next on the line after its summary. */
function saying(run: RunState, result: Outcome, after: RunEvent[]): Outcome {
  const events = marked(run, after);
  const said = runText(events);
  return said
    ? { ...result, summary: `${result.summary}\n${said}`, events, actions: actionsFor(events) }
    : result;
}

async function undoStepJob(job: JobContext<"runbook-step">, env: RunbookEnv, d: StepData): Promise<Outcome> {
  const s = env.services;
  // Checked under the run's lock, like a step: the engine enqueues this job while it
  // holds that lock and records the job id only when it writes the run back.
  const pending = await updateRun(s, d.run, (r) => {
    const sr = r.steps[d.step];
    return r.status === "active" && sr?.status === "undoing" && sr.undoJob === job.record.id;
  });
  if (!pending) return { ok: false, summary: "this undo is no longer pending; nothing was run" };
  const run = (await getRun(s, d.run))!;
  const step = boundStep(env, run, d.step);
  const pc = performContext(job, env, run, d.step, "undo");
  const action = step.undo ? env.kinds.of(step.undo) : undefined;
  const result = step.undo
    ? await performStep(action!, pc, step.undo)
    : await revertStep(env.kinds.of(step), pc, step);
  const ctx = { ...env, actor: { ...botActor(s), display: job.record.by }, enqueue: botEnqueue(s, run) };
  const said = await updateRun(s, d.run, (r) =>
    finishUndoEvents(
      ctx,
      r,
      d.step,
      result.ok,
      result.ok ? `undone (#${job.record.id})` : `undo failed: ${result.summary}`,
    ),
  );
  return saying(run, result, said);
}

/** `!job done` / `!job retry` on an interrupted step job move the run on. */
async function resolved(env: RunbookEnv, rec: JobRecord, how: "done" | "retried"): Promise<void> {
  const s = env.services;
  const d = rec.data as StepData;
  if (d.mode !== "do") return;
  const said = await updateRun(s, d.run, async (run): Promise<RunEvent[]> => {
    const sr = run.steps[d.step];
    if (run.status !== "active" || !sr || sr.job !== rec.id) return [];
    if (how === "retried") {
      sr.status = "running";
      note(run, s.clock.now(), rec.by, `step ${d.step + 1} retried with !job retry`, d.step);
      return [];
    }
    sr.result = rec.resolution;
    return goOn(env, run, completeStep(env, run, d.step, rec.by, { how: "by-hand", job: rec.id }));
  });
  const run = await getRun(s, d.run);
  if (run) await emit(s, run, said);
}

/** The handler, for a bot that knows these step kinds. */
export function runbookStepHandler(kinds: StepKinds): JobHandler<"runbook-step"> {
  const env = (s: Services): RunbookEnv => ({ services: s, kinds });
  return {
    name: "runbook-step",
    idempotent: (data) => data.idempotent === true,
    async run(job) {
      const d = job.data;
      return d.mode === "undo" ? undoStepJob(job, env(job.services), d) : doStep(job, env(job.services), d);
    },
    onResolved: (rec, s, how) => resolved(env(s), rec, how),
  };
}
