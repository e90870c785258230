import { inJob } from "../core/outbound.js";
import type { ExecContext } from "../exec/executor.js";
import type { JobContext } from "./runner.js";

/** An ExecContext for a step run by a job: output into its log, progress lines in its thread. */
export function execContextFor(job: JobContext): ExecContext {
  const { record: rec, services } = job;
  return {
    jobId: rec.id,
    log: job.log,
    signal: job.signal,
    progress: (line) => services.outbox.send(inJob(rec, line, { kind: "progress" })),
  };
}
