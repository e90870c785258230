import type { ChatAdapter, InboundMessage } from "../core/messages.js";
import type { Services } from "../domain/services.js";

/**
 * Receipts on the command's own message, where the adapter has them
 * (ChatAdapter.receipt): queued once its jobs are started, then each job's end as
 * the job events say it. A redelivery started no job, so it gets none. Stops
 * waiting when the bot stops.
 */
export async function followReceipts(
  s: Pick<Services, "events" | "jobs">,
  adapter: ChatAdapter,
  msg: InboundMessage,
  jobs: readonly number[],
  signal: AbortSignal,
): Promise<void> {
  if (!jobs.length || !adapter.receipt) return;
  await adapter.receipt(msg, "queued");
  const stopped = new Promise<undefined>((r) =>
    signal.aborted ? r(undefined) : signal.addEventListener("abort", () => r(undefined), { once: true }),
  );
  for (const id of jobs) {
    const end = await Promise.race([s.events.finished(id, s.jobs), stopped]);
    if (!end) return;
    await adapter.receipt(msg, end === "done" ? "done" : "failed");
  }
}
