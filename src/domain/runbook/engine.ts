import type { Runbook } from "../../config/runbook.js";
import { resolveParams } from "../../config/runbook-params.js";
import { UserError } from "../../core/errors.js";
import type { Outcome } from "../../core/result.js";
import { isoTime } from "../../core/time.js";
import { askStep } from "./begin.js";
import { skipNotApplicable } from "./conditions.js";
import {
  boundStep,
  type EngineCtx,
  type RunbookEnv,
  runbookOf,
  stepLabel,
  stepName,
  whoHolds,
} from "./context.js";
import type { RunEvent, StepEnd } from "./events.js";
import { nextHintEvent } from "./next.js";
import { endText } from "./render-text.js";
import { createRun, note, type RunState, type StepRun, updateRun } from "./state.js";

/**
 * The forward half of a run: start, next, confirm, ack, retry, skip, and moving
 * the cursor on when a step is over. Every change happens under the run's lock
 * in Redis; steps that do work are jobs (src/jobs/runbook-step.ts). What a step
 * is and does, the engine asks of its kind (kinds/).
 */

export const RUNNABLE = ["pending", "undone", "skipped"];

export async function startRun(
  ctx: EngineCtx & { network: string; channel: string; threadId?: string },
  rb: Runbook,
  given: Record<string, string>,
  /** A rehearsal; the scheduled downtime the run's markers start and end (link.ts, checked). */
  opts: { rehearsal?: boolean; downtime?: number } = {},
): Promise<RunState> {
  const s = ctx.services;
  if (rb.missingHosts.length)
    throw new UserError(
      `${rb.id} needs the host(s) ${rb.missingHosts.join(", ")}, which the config's hosts: lacks; nothing started.`,
    );
  const params = resolveParams(rb, given);
  const now = s.clock.now();
  const draft: Omit<RunState, "key" | "seq"> = {
    runbook: rb.id,
    network: ctx.network,
    channel: ctx.channel,
    threadId: ctx.threadId,
    params,
    status: "active",
    startedBy: ctx.actor.display,
    startedById: ctx.actor.id,
    startedAt: now,
    cursor: 0,
    steps: rb.steps.map(() => ({ status: "pending", jobs: [] })),
    loops: {},
    downtime: opts.downtime !== undefined ? { linked: opts.downtime } : {},
    timeline: [
      {
        at: now,
        who: ctx.actor.display,
        what: `started${opts.rehearsal ? " a REHEARSAL (commands shown, not run)" : ""}${fmtParams(params)}${opts.downtime !== undefined ? `, bound to downtime #${opts.downtime}` : ""}`,
      },
    ],
    ...(opts.rehearsal ? { rehearsal: true as const } : {}),
  };
  // Steps at the start that do not apply to these parameters are passed over at once (the plan says so).
  skipNotApplicable(rb, draft as RunState, now, s.config.name);
  const run = await createRun(s, draft);
  await s.audit.record({
    event: "runbook",
    who: ctx.actor.id,
    command: `start ${rb.id}${opts.rehearsal ? " --rehearse" : ""}`,
    outcome: `run #${run.seq}`,
  });
  return run;
}

const fmtParams = (p: Record<string, string>) => {
  const e = Object.entries(p);
  return e.length ? ` with ${e.map(([k, v]) => `${k}=${v}`).join(" ")}` : "";
};

/** Marks step i over (done, or skipped) and moves the cursor on; ends the run after the last step. Returns what to say. */
export function completeStep(
  env: RunbookEnv,
  run: RunState,
  i: number,
  who: string,
  end: StepEnd | { how: "skipped"; by: string; reason: string },
): RunEvent[] {
  const rb = runbookOf(env, run);
  const now = env.services.clock.now();
  const sr = run.steps[i]!;
  sr.status = "done";
  sr.finishedAt = now;
  const step = stepLabel(rb, i, run.params);
  const over: RunEvent =
    end.how === "skipped"
      ? { type: "step-skipped", step, by: end.by, reason: end.reason }
      : { type: "step-done", step, end };
  note(
    run,
    now,
    who,
    `step ${i + 1} ${end.how === "skipped" ? `skipped by ${end.by}: ${end.reason}` : endText(end)}`,
    i,
  );
  if (run.cursor === i) run.cursor = i + 1;
  const passed = skipNotApplicable(rb, run, now, env.services.config.name);
  if (run.cursor < rb.steps.length) return [over, ...passed, nextHintEvent(env, run)];
  run.status = "finished";
  run.endedAt = now;
  const stopped = env.kinds.list.map((k) => k.end?.(run, now, "finished") ?? "").join("");
  note(run, now, who, "finished");
  return [
    over,
    ...passed,
    { type: "run-finished", runbook: rb.id, seq: run.seq, steps: rb.steps.length, stopped },
  ];
}

export function busy(env: RunbookEnv, run: RunState, i: number, sr: StepRun): string | undefined {
  const s = env.services;
  const rb = runbookOf(env, run);
  const name = stepName(rb, i, run.params);
  switch (sr.status) {
    case "awaiting-confirm":
      return `${name} is irreversible and waits for !migrate confirm by someone other than ${sr.by}.`;
    case "awaiting-ack":
      return `${name} waits for !migrate ack by ${whoHolds(s, boundStep(env, run, i).role ?? "losa")}.`;
    case "running":
      return `${name} is running as #${sr.job}; see !job ${sr.job}.`;
    case "waiting":
      return `${name} is waiting until ${isoTime(sr.waitUntil ?? 0)}.`;
    case "failed":
      return `${name} failed (${sr.result ?? "see its job"}): !migrate retry, or !migrate skip <reason>.`;
    case "interrupted":
      return `${name} was interrupted (state unknown, #${sr.job}): check by hand, then !migrate retry, !job done ${sr.job}, or !migrate skip <reason>.`;
    case "undoing":
      return `${name} is being undone; wait for it.`;
    default:
      return undefined;
  }
}

/**
 * `!migrate next`: does the current step (or asks for a confirm first, for an
 * irreversible one). Returns what to say (a prompt), said once the run is written.
 */
export function nextStep(ctx: EngineCtx, key: string): Promise<RunEvent[]> {
  return onActiveRun(ctx, key, async (run, rb) => {
    if (run.rollingBack) throw new UserError("A rollback is in progress; wait for it to stop.");
    const undoing = run.steps.findIndex((x) => x.status === "undoing");
    if (undoing >= 0)
      throw new UserError(`${stepName(rb, undoing, run.params)} is being undone; wait for it.`);
    const i = run.cursor;
    if (i >= rb.steps.length) throw new UserError("All steps are done.");
    const sr = run.steps[i]!;
    const why = busy(ctx, run, i, sr);
    if (why) throw new UserError(why);
    if (!RUNNABLE.includes(sr.status)) throw new UserError(`${stepName(rb, i, run.params)} is ${sr.status}.`);
    return askStep(ctx, run, i);
  });
}

/**
 * A step's job is over, on a run already held under its lock: records its
 * outcome and moves the cursor on (or marks the step failed). Returns what to say,
 * or nothing when the step went on otherwise meanwhile (a wait now waiting, a
 * skipped step). The job's end with run mode is run-mode.ts's finishAndGoOn.
 */
export function finishStepIn(
  env: RunbookEnv,
  r: RunState,
  i: number,
  job: number,
  who: string,
  result: Pick<Outcome, "ok" | "summary">,
): RunEvent[] {
  const s = env.services;
  const sr = r.steps[i]!;
  if (sr.job !== job || sr.status !== "running") return [];
  sr.result = result.summary;
  if (!result.ok) {
    sr.status = "failed";
    sr.finishedAt = s.clock.now();
    note(r, sr.finishedAt, who, `step ${i + 1} failed: ${result.summary}`, i);
    return [{ type: "step-failed", step: stepLabel(runbookOf(env, r), i, r.params) }];
  }
  return completeStep(env, r, i, who, { how: "job", job });
}

/** Changes an active run under its lock, with its runbook: how every answer to a run begins. */
export function onActiveRun<T>(
  ctx: RunbookEnv,
  key: string,
  fn: (run: RunState, rb: Runbook) => Promise<T>,
): Promise<T> {
  return updateRun(ctx.services, key, async (run) => {
    mustBeActive(run);
    return fn(run, runbookOf(ctx, run));
  });
}

export function mustBeActive(run: RunState): void {
  if (run.status !== "active")
    throw new UserError(`${run.runbook} run #${run.seq} is ${run.status}; !migrate start begins a new one.`);
}
