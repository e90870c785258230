import type { Outcome } from "../core/result.js";

/**
 * Executors run one step's command: over SSH on a configured host (src/jobs/ssh.ts)
 * or on the bot's own host (src/jobs/local.ts). Built by a factory from their
 * dependencies, so tests swap nothing but real servers.
 */

export interface ExecRequest {
  /** Entry of `hosts:` in the config; undefined runs on the bot's own host. */
  host?: string;
  /** Log in as this user instead of the host entry's `user` (SSH only). */
  user?: string;
  /** The command as an argument vector; each word is quoted, never interpreted by a shell on our side. */
  argv: string[];
  /** Ends the command when it runs longer (ms). */
  timeoutMs?: number;
}

export interface ExecContext {
  /** The job whose log receives stdout/stderr. */
  jobId: number;
  /** Append output to the job's log (capped by the store). */
  log(chunk: string): Promise<void>;
  /** A progress line for chat (the executor calls it at most every 30 s for a long step). */
  progress?(line: string): Promise<void>;
  /** Aborts the command (shutdown). */
  signal?: AbortSignal;
  /**
   * Set for a rehearsal: the dispatcher (dispatch.ts) runs nothing, neither over
   * SSH nor here; it shows the command as it would run and hands that line to
   * record() (the run's timeline).
   */
  rehearsal?: { record(line: string): Promise<void> };
}

export interface StepResult extends Outcome {
  signal?: string;
  timedOut?: boolean;
  durationMs: number;
  /** The command's combined output (also in the job log). */
  output: string;
}

export interface Executor {
  execute(req: ExecRequest, ctx: ExecContext): Promise<StepResult>;
  close?(): Promise<void>;
}
