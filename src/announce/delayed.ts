import type { Queue } from "bullmq";
import type { Clock } from "../core/clock.js";
import type { Queues } from "../infra/queues.js";

/**
 * Announcements due later are delayed BullMQ jobs with deterministic ids, so a
 * change of plan removes or replaces exactly the right ones and adding the same
 * one twice is a no-op. The delay is counted from the bot's clock.
 */
export const ANNOUNCE_QUEUE = "announce";

export interface ScheduledAnnouncement {
  /** The job id: letters, digits, "-", "_" and "."; never a bare integer (BullMQ's rules). */
  key: string;
  /** The planned due time on the bot's clock (the job's delay is only derived from it). */
  due: number;
  mattersUntil: number;
  text: string;
  kind?: "announce" | "alarm";
  targets?: readonly string[];
  /** Where it goes when no `announce:` target is configured (see Announcer). */
  here?: readonly string[];
  meta?: Record<string, unknown>;
  /** Posted only while this downtime is still at this revision (a move or cancel makes it stale). */
  guard?: { downtime: number; rev: number; slot: string };
}

const VALID_KEY = /^[A-Za-z0-9._-]+$/;

export function checkKey(key: string): string {
  if (!VALID_KEY.test(key) || /^\d+$/.test(key)) throw new Error(`invalid announcement key "${key}"`);
  return key;
}

export class AnnounceScheduler {
  constructor(
    private readonly queues: Queues,
    private readonly clock: Clock,
  ) {}

  private get queue(): Queue {
    return this.queues.get(ANNOUNCE_QUEUE);
  }

  async schedule(a: ScheduledAnnouncement): Promise<void> {
    await this.queue.add("announce", a, {
      jobId: checkKey(a.key),
      delay: Math.max(0, a.due - this.clock.now()),
      attempts: 10,
      backoff: { type: "exponential", delay: 500 },
      removeOnComplete: { age: 7 * 86400, count: 20_000 },
      removeOnFail: { count: 1000 },
    });
  }

  /** Removes an announcement that has not run; true if one was removed. */
  async unschedule(key: string): Promise<boolean> {
    const job = await this.queue.getJob(checkKey(key));
    if (!job) return false;
    if (await job.isActive()) return false;
    await job.remove();
    return true;
  }

  async pending(): Promise<number> {
    const c = await this.queue.getJobCounts("wait", "active", "delayed", "prioritized");
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  /** Every announcement still waiting (for tests and `!downtime list`). */
  async waitingKeys(): Promise<string[]> {
    const jobs = await this.queue.getJobs(["delayed", "wait", "prioritized"]);
    return jobs.map((j) => j.id).filter((id): id is string => !!id);
  }
}
