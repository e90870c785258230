import type { Services } from "../services.js";
import { emit, type RunbookEnv, runbookOf, runbooks, stepLabel } from "./context.js";
import { completeStep } from "./engine.js";
import type { RunEvent } from "./events.js";
import { builtinStepKinds } from "./kinds/index.js";
import type { StepKinds } from "./kinds/types.js";
import { goOn } from "./run-mode.js";
import { activeRuns, getRun, note, type RunState, updateRun } from "./state.js";

/**
 * What moves a run on without anyone typing: due waits, what step kinds do on
 * their own (a loop's due iterations: StepKind.tick), and noticing that a step's job was interrupted by a restart. Due times are
 * in Redis and compared with services.clock, so a wait survives a restart and
 * tests drive it with a ManualClock: advance the clock, call tickRunbooks().
 * In a running bot a timer calls it every second (several processes may: each
 * run is changed under its lock, so nothing is started twice).
 */
export async function tickRunbooks(s: Services, kinds: StepKinds = builtinStepKinds): Promise<void> {
  const env: RunbookEnv = { services: s, kinds };
  const warned = warnedOf(s);
  const active = await activeRuns(s);
  for (const key of warned.keys()) if (!active.includes(key)) warned.delete(key);
  for (const key of active) {
    let problem: string | undefined;
    try {
      const said: RunEvent[][] = [];
      problem = await updateRun(s, key, (run) => tickRun(env, run, said));
      if (said.length) {
        const run = await getRun(s, key);
        if (run) for (const message of said) await emit(s, run, message);
      }
    } catch (e) {
      problem = `runbook tick failed: ${(e as Error).message}`;
    }
    // A run that cannot move on has the same problem every tick: log it once, and again only if it changes.
    if (problem === undefined) warned.delete(key);
    else if (warned.get(key) !== problem) {
      s.log.warn({ run: key }, problem);
      warned.set(key, problem);
    }
  }
}

/** Per bot: each run's last tick failure already logged. */
const warnedRuns = new WeakMap<Services, Map<string, string>>();
function warnedOf(s: Services): Map<string, string> {
  const m = warnedRuns.get(s) ?? new Map<string, string>();
  warnedRuns.set(s, m);
  return m;
}

/** Moves one run on; what to say goes into `said` (a message each); returns a problem that keeps the run from moving. */
async function tickRun(env: RunbookEnv, run: RunState, said: RunEvent[][]): Promise<string | undefined> {
  const s = env.services;
  if (run.status !== "active") return;
  const now = s.clock.now();
  if (!runbooks(env).runbooks.has(run.runbook)) {
    const problem = `runbook ${run.runbook} is no longer loaded; !migrate abort to end run #${run.seq}`;
    // The channel hears it once: the run remembers it was told, across restarts and processes.
    if (run.unloaded !== run.runbook)
      said.push([{ type: "runbook-unloaded", runbook: run.runbook, seq: run.seq }]);
    run.unloaded = run.runbook;
    return problem;
  }
  delete run.unloaded;
  const rb = runbookOf(env, run);
  for (const [i, sr] of run.steps.entries()) {
    if (sr.status === "waiting" && sr.waitUntil !== undefined && now >= sr.waitUntil) {
      said.push(await goOn(env, run, completeStep(env, run, i, s.config.name, { how: "wait-over" })));
      continue;
    }
    if (sr.status === "running" && sr.job !== undefined) {
      const rec = await s.jobs.get(sr.job);
      if (rec?.state === "interrupted" && !rec.resolution) {
        sr.status = "interrupted";
        sr.result = rec.result;
        note(run, now, s.config.name, `step ${i + 1} interrupted (#${rec.id})`, i);
        said.push([{ type: "step-interrupted", step: stepLabel(rb, i, run.params), job: rec.id }]);
      }
    }
    if (sr.status === "undoing" && sr.undoJob !== undefined) {
      const rec = await s.jobs.get(sr.undoJob);
      if (rec?.state === "interrupted") {
        sr.status = "undo-failed";
        run.rollingBack = false;
        note(run, now, s.config.name, `undo of step ${i + 1} interrupted (#${rec.id})`, i);
        said.push([{ type: "undo-interrupted", step: stepLabel(rb, i, run.params), job: rec.id }]);
      }
    }
  }
  // Run mode left at a step that is over (a restart between a step's end and the next one's start).
  if (run.auto && run.status === "active") {
    const going = await goOn(env, run, []);
    if (going.length) said.push(going);
  }
  for (const kind of env.kinds.list) if (kind.tick) for (const e of await kind.tick(env, run)) said.push([e]);
}

/** The production timer. */
export function startRunbookScheduler(
  s: Services,
  kinds: StepKinds,
  everyMs = 1000,
): { close(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = tickRunbooks(s, kinds).finally(() => {
      running = undefined;
    });
  }, everyMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
