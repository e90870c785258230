import type { StepSchema } from "../../../config/runbook.js";
import type { Outcome } from "../../../core/result.js";
import type { ExecContext } from "../../../exec/executor.js";
import type { Services } from "../../services.js";
import type { RunEvent } from "../events.js";
import type { RunState } from "../state.js";

/**
 * One kind of runbook step, whole: how it is written and checked (its schema),
 * described, begun at `!migrate next`, performed in its job, undone, and
 * whether it is safe to run again. The engine knows steps only through these;
 * src/domain/runbook/kinds/index.ts lists the built-in kinds, and a bot can be
 * given more (BotOptions.stepKinds).
 */

/** What the engine works with: the services and the step kinds this bot knows. */
export interface RunbookEnv {
  services: Services;
  kinds: StepKinds;
}

/** The step kinds a bot knows (kinds/registry.ts). */
export interface StepKinds {
  /** The kind of a step or undo action; throws for a kind the bot does not know. */
  of(step: { kind: string }): StepKind;
  readonly list: readonly StepKind[];
  /** The schemas of the kinds beyond the built-in ones, for reading runbooks (config/runbook-load.ts). */
  readonly extraSchemas: readonly StepSchema[];
}

/** What the engine reads of any step (bound: its parameters filled in). */
export interface AnyStep {
  kind: string;
  id: string;
  title: string;
  role?: string;
  irreversible: boolean;
  idempotent: boolean;
  timeout?: number;
  undo?: AnyAction;
}

/** An `undo:` action (or a step, when it is performed). */
export interface AnyAction {
  kind: string;
  title?: string;
  role?: string;
  timeout?: number;
}

/** What perform() and revert() are given, inside the job. */
export interface PerformContext extends RunbookEnv {
  io: ExecContext;
  /** The run as it was when the job began. */
  run: RunState;
  /** Which step (0-based), and its name in chat: `step 3/9 "Stop cron"`. */
  index: number;
  name: string;
  /** Unique per run, step and direction ("rb-<runbook>-<seq>-<i>-do"): work done twice is done once. */
  ref: string;
  /** Who the job runs for. */
  who: string;
  /** Changes the run under its lock (the step's state, the run's loops or downtime). */
  update<T>(fn: (run: RunState) => T | Promise<T>): Promise<T>;
}

/** How `!migrate next` begins a step: its job runs perform(), or prompt() is posted for an ack. */
export type Begin = "job" | "ack";

/** A kind's own way to rehearse a step (a method's type, so a kind of a narrower step still fits StepKind). */
type Rehearse<S> = { fn(ctx: PerformContext, step: S): Promise<Outcome> }["fn"];

export interface StepKind<S extends AnyAction = AnyAction> {
  /** The `kind:` it is written with. */
  readonly name: string;
  /** Its fields beside the common ones, and its checks (the built-in ones: src/config/runbook.ts). */
  readonly schema: StepSchema;
  /** What a step does, in a few words: "ssh bastion: lpndt service-stop cron-fdt". */
  describe(step: S): string;
  /** Its tag in the plan `!migrate start` shows; the kind's name if not given. */
  tag?(step: S): string;
  /** Safe to run again if the bot died while it ran (a step may also say `idempotent: true`). */
  readonly idempotent: boolean;
  readonly begin: Begin;
  /** For begin "ack": what the role is asked to do ("manual, for lead:\n…"). */
  prompt?(step: S): string;
  /** For begin "job": the work, in the step's job (or an undo's, when it is an `undo:` action). */
  perform?(ctx: PerformContext, step: S): Promise<Outcome>;
  /**
   * How a rehearsal does it (rehearsal.ts): "perform" when perform() is safe
   * with a rehearsal's services (its commands go through ctx.services.exec or
   * runCommand, its announcements through ctx.services.announcer, its state into
   * the run); a function to do it its own way (an HTTP check passes without a
   * request). Without it, a rehearsal does not perform the step, only shows it.
   */
  rehearse?: "perform" | Rehearse<S>;
  /**
   * Undoing a done step without an `undo:` action: revert() runs as its job when
   * the kind has one; otherwise there is nothing to undo. afterUndo() runs under
   * the run's lock whenever such a step is undone (a loop step's stops its loop)
   * and says what it did, for the timeline.
   */
  revert?(ctx: PerformContext, step: S): Promise<Outcome>;
  afterUndo?(run: RunState, step: S, now: number): string | undefined;
  /** On every scheduler tick of an active run (a loop's due iterations); returns what to say, a message each. Under the run's lock. */
  tick?(env: RunbookEnv, run: RunState): Promise<RunEvent[]>;
  /** When the run finishes or is aborted, under its lock (loops still running are stopped); words to add. */
  end?(run: RunState, now: number, how: "finished" | "aborted"): string;
}
