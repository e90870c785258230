import type { Queue } from "bullmq";
import type { Clock } from "../core/clock.js";
import type { Queues } from "../infra/queues.js";

/**
 * Announcements due later are delayed BullMQ jobs with deterministic ids, so a
 * change of plan removes or replaces exactly the right ones and adding the same
 * one twice is a no-op. The delay is counted from the bot's clock.
 */
export const ANNOUNCE_QUEUE = "announce";

/**
 * An announcement's job comes due this long before the announcement itself, and
 * the worker that takes it holds it until its time on the bot's clock
 * (`Clock.until`), then posts it. BullMQ hands a delayed job over up to about
 * 100 ms after its time: its worker waits in a blocking Redis call whose timeout
 * Redis checks only at its `hz` (10 a second by default). Taken early, an
 * announcement goes out within a few ms of its time whatever the server's `hz`.
 */
export const EARLY_MS = 250;

/**
 * How an announcement taken at `now` is to be handled: held until its time
 * ("hold"), or, taken far earlier than EARLY_MS (promoted by hand from the queue
 * dashboard, a clock that differs from the scheduler's), put back to come due
 * again EARLY_MS before its time ("again", in that many ms from now).
 */
export function whenTaken(due: number, now: number): { hold: true } | { hold: false; againInMs: number } {
  const early = due - now;
  return early > 2 * EARLY_MS ? { hold: false, againInMs: early - EARLY_MS } : { hold: true };
}

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
      delay: Math.max(0, a.due - EARLY_MS - this.clock.now()),
      attempts: 10,
      backoff: { type: "exponential", delay: 500 },
      removeOnComplete: { age: 7 * 86400, count: 20_000 },
      removeOnFail: { count: 1000 },
    });
  }

  /**
   * Removes an announcement that has not run; true if one was removed. One
   * already taken (held until its time, or being posted) stays: a downtime's
   * slots carry a guard (its revision) that makes them stale when they wake.
   */
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

  /**
   * Every announcement still waiting (for tests and `!downtime list`), with
   * those taken early and held until their time (active, not yet due).
   */
  async waitingKeys(): Promise<string[]> {
    const now = this.clock.now();
    const [waiting, active] = await Promise.all([
      this.queue.getJobs(["delayed", "wait", "prioritized"]),
      this.queue.getActive(),
    ]);
    const held = active.filter((j) => (j.data as ScheduledAnnouncement).due > now);
    return [...waiting, ...held].map((j) => j.id).filter((id): id is string => !!id);
  }
}
