import type { Job, Queue } from "bullmq";
import { ANNOUNCE_QUEUE, type ScheduledAnnouncement } from "../../src/announce/delayed.js";
import type { ManualClock } from "../../src/core/clock.js";
import type { Queues } from "../../src/infra/queues.js";
import { eventually, giveUp } from "./eventually.js";

/**
 * Moving time for announcement tests. The bot runs on a ManualClock, but
 * BullMQ counts a delayed job's delay in real time, so after moving the clock
 * the announcements whose planned due time (`due` in the job data) has come
 * are promoted: made runnable at once. Tests then wait for the deliveries,
 * never for a lead time.
 */
const PENDING = ["wait", "active", "delayed", "prioritized", "waiting-children"] as const;

/** Promotes every delayed announcement due at or before `now`, in due order; returns their keys. */
export async function promoteDue(queues: Queues, now: number): Promise<string[]> {
  const queue = queues.get(ANNOUNCE_QUEUE);
  const delayed = (await queue.getDelayed()) as Job<ScheduledAnnouncement>[];
  const due = delayed.filter((j) => j.data.due <= now).sort((a, b) => a.data.due - b.data.due);
  for (const job of due) {
    try {
      await job.promote();
    } catch (e) {
      // BullMQ may have moved it itself a moment ago (its real delay ran out); anything else is a failure.
      if ((await job.getState()) === "delayed") throw e;
    }
  }
  return due.map((j) => j.id as string);
}

/** Waits until every one of these jobs has completed; a job that failed for good fails the wait. */
export async function completed(queue: Queue, ids: readonly string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of ids)
    await eventually(
      async () => {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : "missing";
        if (state === "failed") giveUp(`job ${id} failed: ${job?.failedReason}`);
        if (state !== "completed") throw new Error(`job ${id} still ${state}`);
        return true;
      },
      { what: `job ${id} to complete`, timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 25 },
    );
}

/** Waits until a queue holds no job that could still run (nothing waiting, running, delayed). */
export async function idle(queue: Queue, timeoutMs = 15_000): Promise<void> {
  await eventually(
    async () => {
      const counts = await queue.getJobCounts(...PENDING);
      const left = Object.values(counts).reduce((a, b) => a + b, 0);
      if (left > 0) throw new Error(`not idle: ${JSON.stringify(counts)}`);
      return true;
    },
    { what: `queue ${queue.name} to be idle`, timeoutMs, intervalMs: 25 },
  );
}

/**
 * Promotes the announcements due at `now` and waits until each has been
 * handled (posted, marked late, dropped or found stale); returns their keys.
 */
export async function runDue(queues: Queues, now: number): Promise<string[]> {
  const keys = await promoteDue(queues, now);
  await completed(queues.get(ANNOUNCE_QUEUE), keys);
  return keys;
}

/** Sets the clock to `t` and runs what is due then; returns the keys of the announcements it ran. */
export async function advanceTo(clock: ManualClock, queues: Queues, t: number): Promise<string[]> {
  if (t < clock.now()) throw new Error("the clock only moves forward here");
  clock.set(t);
  return runDue(queues, t);
}
