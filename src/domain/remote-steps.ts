import type { RemoteStep } from "../config/schema.js";
import { LOCAL_HOST } from "../config/schema.js";
import type { Outcome } from "../core/result.js";
import type { ExecContext } from "../exec/executor.js";
import { showCommand } from "../exec/quote.js";
import type { Services } from "./services.js";

/**
 * Runs configured steps (`rcMode.onSteps`, …) one after another through
 * services.exec. Returns undefined when all succeeded, else the failed outcome
 * (the first failure stops the rest).
 */
export async function runSteps(
  s: Services,
  io: ExecContext,
  steps: readonly RemoteStep[],
  what: string,
): Promise<Outcome | undefined> {
  for (const [i, step] of steps.entries()) {
    const host = step.host ?? LOCAL_HOST;
    const label = `step ${i + 1}/${steps.length} (${showCommand(step.argv)} on ${host})`;
    const r = await s.exec.execute({ host: step.host, argv: step.argv, timeoutMs: step.timeout }, io);
    if (!r.ok) {
      return { ok: false, exit: r.exit, summary: `${what}: ${label} failed: ${r.summary}`, output: r.output };
    }
    await io.log(`[${label}: ${r.summary}]\n`);
  }
  return undefined;
}

/** Steps may run again after a crash only if every one of them is marked idempotent. */
export const allIdempotent = (steps: readonly RemoteStep[]) => steps.every((s) => s.idempotent);
