import type { ChatEvent, MessageAction } from "./messages.js";

/**
 * What any piece of work reports: a job, a runbook step, a command run on a
 * host. `summary` is the one line for chat; the runner turns an outcome into the
 * job's state and its message. Executors add timing (exec/executor.ts StepResult).
 */
export interface Outcome {
  ok: boolean;
  /** One line for chat ("exit 0 in 1.2s"). */
  summary: string;
  exit?: number;
  /** Output lines to show (the last few), if any; the whole output is in the job's log. */
  output?: string;
  /** False when the work already said everything it wanted to say (the runner adds no result line). */
  announce?: boolean;
  /** What the summary says, as data (its plain rendering is the summary's end): see OutboundMessage.events. */
  events?: readonly ChatEvent[];
  /** Buttons for what the work leaves waiting (a runbook's next step needs an ack or a confirm). */
  actions?: MessageAction[];
}
