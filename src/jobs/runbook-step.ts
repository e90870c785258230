import { announcedSummary } from "../announce/announcer.js";
import { formatDuration } from "../core/duration.js";
import type { JobKinds } from "../domain/job-kinds.js";
import { perform } from "../domain/runbook/actions.js";
import {
  botActor,
  botEnqueue,
  boundStep,
  post,
  runbookOf,
  stepName,
  utcTime,
} from "../domain/runbook/context.js";
import { completeStep, nextHint } from "../domain/runbook/engine.js";
import { startIteration } from "../domain/runbook/loops.js";
import { getRun, note, updateRun } from "../domain/runbook/state.js";
import { finishUndo } from "../domain/runbook/undo.js";
import type { Services } from "../domain/services.js";
import type { JobRecord } from "../infra/job-store.js";
import { execContextFor } from "./exec-context.js";
import type { JobContext, JobHandler, JobOutcome } from "./runner.js";

/**
 * The job that does one automated step of a run (or its undo). It records the
 * outcome in the run and, in the same chat line as the result, says what comes
 * next. A step the bot was running when it died is not re-run: the runner marks
 * the job interrupted, and `!job done` / `!job retry` (onResolved) move the run on.
 */

type StepData = JobKinds["runbook-step"];

async function doStep(job: JobContext<"runbook-step">, d: StepData): Promise<JobOutcome> {
  const s = job.services;
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
  const rb = runbookOf(s, run);
  const step = boundStep(s, run, d.step);
  const now = s.clock.now();
  const who = job.record.by;
  if (step.kind === "wait") {
    const until = await updateRun(s, d.run, (r) => {
      const sr = r.steps[d.step]!;
      sr.waitUntil ??= now + step.duration;
      sr.status = "waiting";
      note(r, now, who, `step ${d.step + 1} waiting ${formatDuration(step.duration)}`, d.step);
      return sr.waitUntil;
    });
    return {
      ok: true,
      summary: `${stepName(rb, d.step, step.title)}: waiting ${formatDuration(step.duration)}, until ${utcTime(until)}; the run goes on by itself then.`,
    };
  }
  let result: { ok: boolean; summary: string; output?: string; exit?: number };
  if (step.kind === "loop") {
    await updateRun(s, d.run, async (r) => {
      if (r.loops[step.loop]) return;
      r.loops[step.loop] = {
        name: step.loop,
        step: d.step,
        every: step.every,
        nextAt: now,
        iterations: 0,
        failures: 0,
        stopped: false,
        startedAt: now,
      };
      await startIteration(s, r, step.loop);
    });
    result = {
      ok: true,
      summary: `loop "${step.loop}" started: every ${formatDuration(step.every)} until stopped`,
    };
  } else if (step.kind === "stop-loop") {
    result = await updateRun(s, d.run, (r) => {
      const l = r.loops[step.loop];
      if (!l) return { ok: true, summary: `loop "${step.loop}" was not running` };
      if (!l.stopped) {
        l.stopped = true;
        l.stoppedAt = now;
      }
      return {
        ok: true,
        summary: `loop "${step.loop}" stopped after ${l.iterations} iteration(s), ${l.failures} failed${l.inFlight ? ` (#${l.inFlight} still finishing)` : ""}`,
      };
    });
  } else if (step.kind === "downtime-start" || step.kind === "downtime-end") {
    const start = step.kind === "downtime-start";
    await updateRun(s, d.run, (r) => {
      if (start) r.downtime.start ??= now;
      else r.downtime.end ??= now;
    });
    const said = step.text
      ? await s.announcer.announce(step.text, {
          id: `rb-${run.runbook}-${run.seq}-${d.step}`,
          here: [`${run.network}:${run.channel}`],
          meta: { kind: "runbook" },
        })
      : undefined;
    const fresh = (await getRun(s, d.run))!;
    const marker = start
      ? `downtime started at ${utcTime(fresh.downtime.start!)}`
      : `downtime ended at ${utcTime(fresh.downtime.end!)}${fresh.downtime.start ? `: ${formatDuration(fresh.downtime.end! - fresh.downtime.start)} measured` : ""}`;
    result = { ok: true, summary: said?.here ? `${marker}; ${announcedSummary(said)}` : marker };
  } else {
    result = await perform(s, execContextFor(job), step, run, `rb-${run.runbook}-${run.seq}-${d.step}-do`);
  }
  const said = await updateRun(s, d.run, (r) => {
    const sr = r.steps[d.step]!;
    if (sr.job !== id || sr.status !== "running") return "";
    sr.result = result.summary;
    if (!result.ok) {
      sr.status = "failed";
      sr.finishedAt = s.clock.now();
      note(r, sr.finishedAt, who, `step ${d.step + 1} failed: ${result.summary}`, d.step);
      return `${stepName(rb, d.step, r.params)} failed. !migrate retry, or !migrate skip <reason>.`;
    }
    return completeStep(s, r, d.step, who, `done (#${id})`);
  });
  return { ...result, summary: `${result.summary}${said ? `\n${said}` : ""}` };
}

async function undoStepJob(job: JobContext<"runbook-step">, d: StepData): Promise<JobOutcome> {
  const s = job.services;
  // Checked under the run's lock, like a step: the engine enqueues this job while it
  // holds that lock and records the job id only when it writes the run back.
  const pending = await updateRun(s, d.run, (r) => {
    const sr = r.steps[d.step];
    return r.status === "active" && sr?.status === "undoing" && sr.undoJob === job.record.id;
  });
  if (!pending) return { ok: false, summary: "this undo is no longer pending; nothing was run" };
  const run = (await getRun(s, d.run))!;
  const step = boundStep(s, run, d.step);
  const result = await perform(
    s,
    execContextFor(job),
    step.undo!,
    run,
    `rb-${run.runbook}-${run.seq}-${d.step}-undo`,
  );
  const ctx = { services: s, actor: { ...botActor(s), display: job.record.by }, enqueue: botEnqueue(s, run) };
  const said = await updateRun(s, d.run, (r) =>
    finishUndo(
      ctx,
      r,
      d.step,
      result.ok,
      result.ok ? `undone (#${job.record.id})` : `undo failed: ${result.summary}`,
    ),
  );
  return { ...result, summary: `${result.summary}\n${said}` };
}

/** `!job done` / `!job retry` on an interrupted step job move the run on. */
async function resolved(rec: JobRecord, s: Services, how: "done" | "retried"): Promise<void> {
  const d = rec.data as StepData;
  if (d.mode !== "do") return;
  const said = await updateRun(s, d.run, (run) => {
    const sr = run.steps[d.step];
    if (run.status !== "active" || !sr || sr.job !== rec.id) return "";
    if (how === "retried") {
      sr.status = "running";
      note(run, s.clock.now(), rec.by, `step ${d.step + 1} retried with !job retry`, d.step);
      return "";
    }
    sr.result = rec.resolution;
    return completeStep(s, run, d.step, rec.by, `marked done by hand (#${rec.id})`);
  });
  const run = await getRun(s, d.run);
  if (said && run) await post(s, run, said);
}

export const runbookStepHandler: JobHandler<"runbook-step"> = {
  name: "runbook-step",
  idempotent: (data) => data.idempotent === true,
  async run(job) {
    const d = job.data;
    return d.mode === "undo" ? undoStepJob(job, d) : doStep(job, d);
  },
  onResolved: resolved,
};

export { nextHint };
