/**
 * What happens to a run, as data: the engine emits these (context.ts `emit`, or
 * returns them to the command or job that says them), and a renderer per
 * network turns them into words: render-text.ts for the plain text every
 * network falls back to (console, IRC), src/bot/slack/run-events.ts for Slack's
 * mrkdwn. An event carries everything its words need (names already resolved),
 * so a renderer needs nothing else; they travel as JSON in the outbox.
 */

/** A step as chat names it: `step 3/9 "Stop cron"` (n is 1-based). */
export interface StepLabel {
  n: number;
  of: number;
  title: string;
}

/** One line of the plan `!migrate start` shows. */
export interface PlanLine {
  n: number;
  title: string;
  /** "local", "IRREVERSIBLE", "undoable", … */
  flags: string[];
  /** It waits for a person's ack (a manual step). */
  manual?: boolean;
  /** Its `when:` condition leaves it out of this run. */
  skipped?: boolean;
}

/** How a step came to be over. */
export type StepEnd =
  | { how: "job"; job: number }
  | { how: "acked"; by: string; note?: string }
  | { how: "wait-over" }
  | { how: "by-hand"; job: number };

export type RunEvent =
  | {
      type: "run-started";
      runbook: string;
      seq: number;
      by: string;
      title: string;
      /** "13 steps (4 manual, 1 irreversible)". */
      counts: string;
      plan: PlanLine[];
    }
  /** What `!migrate next` would do now, or that there is nothing more. */
  | { type: "next-hint"; status: string; next?: { step: StepLabel; describe: string; irreversible: boolean } }
  | { type: "step-awaiting-confirm"; step: StepLabel; describe: string; confirmer: string }
  | { type: "step-awaiting-ack"; step: StepLabel; prompt: string; acker: string }
  | { type: "step-done"; step: StepLabel; end: StepEnd }
  | { type: "step-skipped"; step: StepLabel; by: string; reason: string }
  | { type: "step-failed"; step: StepLabel }
  | { type: "step-interrupted"; step: StepLabel; job: number }
  /** The run's last step is over; `stopped` is what its step kinds stopped (loops), in their words. */
  | { type: "run-finished"; runbook: string; seq: number; steps: number; stopped: string }
  | {
      type: "run-aborted";
      runbook: string;
      seq: number;
      by: string;
      reason: string;
      stopped: string;
      stillRunning: number[];
    }
  /** Done steps that left nothing to undo, passed on the way back (1-based). */
  | { type: "undo-passed"; steps: number[] }
  | { type: "undo-awaiting-ack"; step: StepLabel; prompt: string; acker: string }
  | { type: "undo-begun"; step: StepLabel; job: number }
  /** `what`: how it was undone, in words ("undone (#7)", "undone, acknowledged by olga"). */
  | { type: "undo-done"; step: StepLabel; what: string }
  | { type: "undo-failed"; step: StepLabel; what: string }
  | { type: "undo-interrupted"; step: StepLabel; job: number }
  | { type: "rollback-stopped"; step: StepLabel }
  | { type: "undo-exhausted" }
  | { type: "rollback-finished"; runbook: string; seq: number }
  | { type: "loop-interrupted"; loop: string; iteration: number; job: number }
  | { type: "runbook-unloaded"; runbook: string; seq: number }
  /** Run mode (`!migrate run`) turned on or off by someone; `after`: the step in flight it waits for. */
  | { type: "run-mode"; on: boolean; by: string; after?: StepLabel }
  /** Run mode started the next step on its own. */
  | { type: "run-going"; step: StepLabel }
  /** Run mode stopped by itself at a step: why, in words ("it is a manual step"). */
  | { type: "run-gate"; step: StepLabel; why: string };

export type RunEventType = RunEvent["type"];

const TYPES: Record<RunEventType, true> = {
  "run-started": true,
  "next-hint": true,
  "step-awaiting-confirm": true,
  "step-awaiting-ack": true,
  "step-done": true,
  "step-skipped": true,
  "step-failed": true,
  "step-interrupted": true,
  "run-finished": true,
  "run-aborted": true,
  "undo-passed": true,
  "undo-awaiting-ack": true,
  "undo-begun": true,
  "undo-done": true,
  "undo-failed": true,
  "undo-interrupted": true,
  "rollback-stopped": true,
  "undo-exhausted": true,
  "rollback-finished": true,
  "loop-interrupted": true,
  "runbook-unloaded": true,
  "run-mode": true,
  "run-going": true,
  "run-gate": true,
};

/** True for a run event (a message's events may come from elsewhere). */
export const isRunEvent = (e: { type: string }): e is RunEvent => Object.hasOwn(TYPES, e.type);
