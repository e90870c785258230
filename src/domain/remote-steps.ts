import type { RemoteStep } from "../config/schema.js";
import { execContextFor, LOCAL_HOST } from "../exec/dispatch.js";
import { showCommand } from "../exec/quote.js";
import type { JobContext, JobOutcome } from "../jobs/runner.js";

/**
 * Runs configured steps (`rcMode.onSteps`, …) one after another through
 * services.exec. Returns undefined when all succeeded, else the failed outcome
 * (the first failure stops the rest).
 */
export async function runSteps(
  job: JobContext,
  steps: readonly RemoteStep[],
  what: string,
): Promise<JobOutcome | undefined> {
  for (const [i, step] of steps.entries()) {
    const host = step.host ?? LOCAL_HOST;
    const label = `step ${i + 1}/${steps.length} (${showCommand(step.argv)} on ${host})`;
    const r = await job.services.exec.execute(
      { host: step.host, argv: step.argv, timeoutMs: step.timeout },
      execContextFor(job),
    );
    if (!r.ok) {
      return { ok: false, exit: r.exit, summary: `${what}: ${label} failed: ${r.summary}`, output: r.output };
    }
    await job.log(`[${label}: ${r.summary}]\n`);
  }
  return undefined;
}

/** Steps may run again after a crash only if every one of them is marked idempotent. */
export const allIdempotent = (steps: readonly RemoteStep[]) => steps.every((s) => s.idempotent);
