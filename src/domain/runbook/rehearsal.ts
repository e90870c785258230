import type { Outcome } from "../../core/result.js";
import type { ExecContext } from "../../exec/executor.js";
import type { RehearsalMark, Services } from "../services.js";
import type { RunEvent } from "./events.js";
import type { AnyAction, PerformContext, StepKind } from "./kinds/types.js";
import { REHEARSAL, rehearsalServices } from "./rehearsal-world.js";
import { runText } from "./render-text.js";
import { note, type RunState, updateRun } from "./state.js";

/**
 * Rehearsals (`!migrate start <runbook> --rehearse`): the whole runbook is
 * walked, touching nothing. A run is a rehearsal from its start to its end
 * (RunState.rehearsal; updateRun refuses to change it). Its steps are done
 * by their kind's `rehearse` (kinds/types.ts) with the rehearsal's services
 * (rehearsal-world.ts): every command reaches the dispatcher marked, which
 * shows it as it would run and runs nothing; each such line goes into the run's
 * timeline, so `!migrate log` lists every command. A kind that does not say how
 * it rehearses is not performed at all, only shown. Every message of the run
 * says REHEARSAL.
 */

export { REHEARSAL };

type RunPlace = Pick<RunState, "key" | "network" | "channel" | "threadId" | "rehearsal">;

const markOf = (run: RunPlace): RehearsalMark => ({
  run: run.key,
  network: run.network,
  channel: run.channel,
  ...(run.threadId ? { threadId: run.threadId } : {}),
});

/** Notes in a rehearsal's timeline what its step would have done (an HTTP check, an announcement, a topic). */
export function rehearsalNote(ctx: PerformContext, what: string): Promise<void> {
  return ctx.update((r) => note(r, ctx.services.clock.now(), ctx.who, `${REHEARSAL}, ${what}`, ctx.index));
}

/** A run's events with the rehearsal mark in front, for a rehearsal (every message of one says so). */
export function marked(run: Pick<RunState, "rehearsal">, events: RunEvent[]): RunEvent[] {
  return run.rehearsal && runText(events) ? [{ type: "rehearsal" }, ...events] : events;
}

/** Put before a job's summary for a rehearsal's job ("queued #7: REHEARSAL …"). */
export const jobTag = (run: Pick<RunState, "rehearsal">): string => (run.rehearsal ? `${REHEARSAL} ` : "");

/** Keeps a command a rehearsal would run in the run's timeline. */
function recorder(s: Services, run: RunPlace, who: string, step?: number) {
  return (line: string) =>
    updateRun(s, run.key, (r) => note(r, s.clock.now(), who, `${REHEARSAL}, would run: ${line}`, step));
}

/** The ExecContext of a rehearsal's command (the dispatcher runs nothing with it); a real run's as it is. */
export function runIo(s: Services, run: RunPlace, io: ExecContext, who: string, step?: number): ExecContext {
  return run.rehearsal ? { ...io, rehearsal: { record: recorder(s, run, who, step) } } : io;
}

/** The services a rehearsal's work is given (rehearsal-world.ts); a real run's as they are. */
export function runServices(s: Services, run: RunPlace, who: string, step?: number): Services {
  return run.rehearsal ? rehearsalServices(s, markOf(run), recorder(s, run, who, step)) : s;
}

function rehearsalContext(pc: PerformContext): PerformContext {
  return {
    ...pc,
    services: runServices(pc.services, pc.run, pc.who, pc.index),
    io: runIo(pc.services, pc.run, pc.io, pc.who, pc.index),
  };
}

/**
 * A step (or an `undo:` action) done in its job: perform() in a real run; in a
 * rehearsal, the kind's rehearse ("perform": its perform(), safe with the
 * rehearsal's services; a function: its own way), else only shown.
 */
export async function performStep(kind: StepKind, pc: PerformContext, step: AnyAction): Promise<Outcome> {
  if (!pc.run.rehearsal) return kind.perform!(pc, step);
  const how = kind.rehearse;
  const rc = rehearsalContext(pc);
  const out: Outcome =
    how === "perform"
      ? await kind.perform!(rc, step)
      : how
        ? await how(rc, step)
        : {
            ok: true,
            summary: `not performed, only shown (a ${kind.name} step is not rehearsed): ${kind.describe(step)}`,
          };
  return { ...out, summary: `${REHEARSAL}: ${out.summary}` };
}

/** A done step undone by its kind's revert(): in a rehearsal only shown. */
export async function revertStep(kind: StepKind, pc: PerformContext, step: AnyAction): Promise<Outcome> {
  if (!pc.run.rehearsal) return kind.revert!(pc, step);
  return { ok: true, summary: `${REHEARSAL}: not performed, only shown: the undo of ${kind.describe(step)}` };
}
