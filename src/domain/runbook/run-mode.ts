import { UserError } from "../../core/errors.js";
import type { Outcome } from "../../core/result.js";
import { startJob } from "../../infra/enqueue.js";
import type { Services } from "../services.js";
import { askStep } from "./begin.js";
import {
  boundStep,
  type EngineCtx,
  holds,
  type RunbookEnv,
  runbookOf,
  stepLabel,
  whoHolds,
} from "./context.js";
import { busy, finishStepIn, mustBeActive, RUNNABLE } from "./engine.js";
import type { RunEvent } from "./events.js";
import { note, type RunState, updateRun } from "./state.js";

/**
 * Run mode (`!migrate run`): the run goes on by itself through automated steps
 * until a gate — a manual step, an irreversible one (which still waits for its
 * confirm, and then goes on), a failure, a step marked `pause: true`, or the end.
 * It is the run's `auto` in Redis, changed under the run's lock like the rest, so
 * a restarted bot carries on; it goes on only from a step that is over (a step
 * cut short by the restart is reported interrupted and waits, as always).
 */

/** Who run mode acts as, with jobs started quietly in the run's thread (their results say enough). */
function autoCtx(s: Services, env: RunbookEnv, run: RunState): EngineCtx {
  const a = run.auto!;
  return {
    ...env,
    actor: { display: a.by, id: a.byId, roles: a.roles },
    enqueue: (req) =>
      startJob(s, req, {
        network: run.network,
        channel: run.channel,
        threadId: run.threadId,
        user: { network: run.network, id: a.by, display: a.by },
      }),
  };
}

/**
 * After a step is over (under the run's lock): in run mode, begins the next one
 * or stops at a gate. `said` is what the step's end says; in run mode its
 * "Next: … !migrate next" hint gives way to what run mode does.
 */
export async function goOn(env: RunbookEnv, run: RunState, said: RunEvent[]): Promise<RunEvent[]> {
  if (!run.auto) return said;
  const s = env.services;
  if (run.status !== "active") {
    delete run.auto;
    return said;
  }
  const rb = runbookOf(env, run);
  const i = run.cursor;
  const sr = run.steps[i];
  if (sr?.status === "failed") {
    delete run.auto;
    note(run, s.clock.now(), s.config.name, `run mode stopped at step ${i + 1}: it failed`, i);
    return [...said, { type: "run-gate", step: stepLabel(rb, i, run.params), why: "it failed" }];
  }
  if (
    run.rollingBack ||
    !sr ||
    !RUNNABLE.includes(sr.status) ||
    run.steps.some((x) => x.status === "undoing")
  )
    return said;
  const rest = said.filter((e) => e.type !== "next-hint");
  const label = stepLabel(rb, i, run.params);
  const gate = (why: string): RunEvent[] => {
    delete run.auto;
    note(run, s.clock.now(), s.config.name, `run mode stopped at step ${i + 1}: ${why}`, i);
    return [...rest, { type: "run-gate", step: label, why }];
  };
  const step = boundStep(env, run, i);
  const kind = env.kinds.of(step);
  if (step.pause) return [...gate("it is marked pause: true"), ...said.filter((e) => e.type === "next-hint")];
  const ctx = autoCtx(s, env, run);
  if (kind.begin !== "ack" && step.role && !holds(ctx.actor, step.role))
    return gate(`it may only be run by ${whoHolds(s, step.role)}`);
  if (kind.begin === "ack") return [...gate("it is a manual step"), ...(await askStep(ctx, run, i))];
  const asked = await askStep(ctx, run, i);
  return [...rest, ...(asked.length ? asked : [{ type: "run-going" as const, step: label }])];
}

/** The runner's end of a step's job, with run mode going on in the same change of the run. */
export function finishAndGoOn(
  env: RunbookEnv,
  key: string,
  i: number,
  job: number,
  who: string,
  result: Pick<Outcome, "ok" | "summary">,
): Promise<RunEvent[]> {
  return updateRun(env.services, key, (r) => goOn(env, r, finishStepIn(env, r, i, job, who, result)));
}

/**
 * `!migrate run`: turns run mode on and does the current step; with a step
 * in flight (running, waiting, or waiting for its confirm), run mode begins after it.
 */
export async function runMode(ctx: EngineCtx, key: string): Promise<RunEvent[]> {
  const s = ctx.services;
  return updateRun(s, key, async (run) => {
    mustBeActive(run);
    const rb = runbookOf(ctx, run);
    if (run.rollingBack) throw new UserError("A rollback is in progress; wait for it to stop.");
    const i = run.cursor;
    if (i >= rb.steps.length) throw new UserError("All steps are done.");
    const sr = run.steps[i]!;
    if (["failed", "interrupted", "awaiting-ack", "undoing"].includes(sr.status))
      throw new UserError(busy(ctx, run, i, sr) ?? `${stepLabel(rb, i).title} is ${sr.status}.`);
    run.auto = { by: ctx.actor.display, byId: ctx.actor.id, roles: [...ctx.actor.roles] };
    note(run, s.clock.now(), ctx.actor.display, "turned run mode on", i);
    const on: RunEvent = { type: "run-mode", on: true, by: ctx.actor.display };
    if (!RUNNABLE.includes(sr.status)) return [{ ...on, after: stepLabel(rb, i, run.params) }];
    const step = boundStep(ctx, run, i);
    if (ctx.kinds.of(step).begin === "ack") {
      delete run.auto;
      return askStep(ctx, run, i);
    }
    const asked = await askStep(ctx, run, i);
    return [
      on,
      ...(asked.length ? asked : [{ type: "run-going" as const, step: stepLabel(rb, i, run.params) }]),
    ];
  });
}

/** `!migrate stop`: run mode ends; a step in flight finishes, and nothing after it starts by itself. */
export async function stopRunMode(ctx: EngineCtx, key: string): Promise<RunEvent[]> {
  const s = ctx.services;
  return updateRun(s, key, (run) => {
    mustBeActive(run);
    if (!run.auto) throw new UserError("Run mode is not on; !migrate run turns it on.");
    delete run.auto;
    const rb = runbookOf(ctx, run);
    const i = run.cursor;
    note(run, s.clock.now(), ctx.actor.display, "stopped run mode", i);
    const sr = run.steps[i];
    const inFlight = sr && ["running", "waiting", "awaiting-confirm"].includes(sr.status);
    return [
      {
        type: "run-mode",
        on: false,
        by: ctx.actor.display,
        ...(inFlight ? { after: stepLabel(rb, i, run.params) } : {}),
      },
    ];
  });
}
