import type { EnqueueRequest } from "../infra/enqueue.js";

/**
 * Every kind of job the bot runs, with its payload. Commands and the runbook
 * engine start them (jobRequest); src/jobs/ has one handler per kind, and the
 * handler map there must name every kind (the compiler checks it).
 */
export interface JobKinds {
  ping: Record<string, never>;
  lpndt: { verb: "service-stop" | "service-start"; service: string; idempotent: boolean; sent?: boolean };
  "rc-mode": { on: boolean; reason?: string; stepsIdempotent: boolean };
  "db-budget": { host: string; glob: string; windowMs: number };
  /** One automated step of a runbook run, or its undo. */
  "runbook-step": { run: string; step: number; mode: "do" | "undo"; idempotent?: boolean };
  /** One iteration of a run's background loop. */
  "runbook-loop": { run: string; loop: string; n: number };
}

export type JobKind = keyof JobKinds;

/** A request to start a job of one kind, its payload checked against the kind. */
export function jobRequest<K extends JobKind>(
  kind: K,
  data: JobKinds[K],
  rest: Omit<EnqueueRequest, "name" | "data">,
): EnqueueRequest {
  return { ...rest, name: kind, data: data as Record<string, unknown> };
}
