import type { Redis } from "ioredis";
import type { JobStore } from "./job-store.js";
import { type JobRecord, TERMINAL } from "./job-store.js";

/** What a job lock needs: the Redis, the key prefix, and the job records (to see a holder finished). */
export interface JobLockDeps {
  redis: Redis;
  prefix: string;
  jobs: JobStore;
}

/** Deletes the key only if it still holds this value (another holder may have taken it since). */
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;

/**
 * One job at a time for a key (e.g. lpndt on one host), across every worker
 * sharing the Redis, in the order the jobs were queued. The lock holds the
 * holder's job id; a holder whose record has finished (done, failed,
 * interrupted after a crash) no longer holds it, so a dead bot never leaves
 * the host locked.
 */
export class JobLock {
  private readonly lockKey: string;
  private readonly waitKey: string;

  constructor(
    private readonly services: JobLockDeps,
    name: string,
    private readonly pollMs = 250,
  ) {
    this.lockKey = `${services.prefix}:lock:${name}`;
    this.waitKey = `${services.prefix}:lockwait:${name}`;
  }

  private async live(id: string | null): Promise<JobRecord | undefined> {
    if (!id) return undefined;
    const rec = await this.services.jobs.get(Number(id));
    return rec && !TERMINAL.includes(rec.state) ? rec : undefined;
  }

  /** The job holding the lock now, if any. */
  async holder(): Promise<JobRecord | undefined> {
    return this.live(await this.services.redis.get(this.lockKey));
  }

  /** Takes the lock for a job, waiting behind the holder and older waiters; `onWait` is told once whom it waits for. */
  async acquire(
    jobId: number,
    onWait: (ahead: JobRecord) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const { redis } = this.services;
    const me = String(jobId);
    await redis.zadd(this.waitKey, me, me);
    let told = false;
    try {
      for (;;) {
        if (signal?.aborted) throw new Error("stopped while waiting");
        const cur = await redis.get(this.lockKey);
        if (cur === me) return;
        const holder = await this.live(cur);
        if (cur && !holder) await redis.eval(RELEASE, 1, this.lockKey, cur);
        let ahead = holder;
        if (!holder) {
          for (const w of await redis.zrange(this.waitKey, "0", "-1")) {
            if (w === me) break;
            const rec = await this.live(w);
            if (rec) {
              ahead = rec;
              break;
            }
            await redis.zrem(this.waitKey, w);
          }
          if (!ahead && (await redis.set(this.lockKey, me, "NX"))) return;
        }
        if (ahead && !told) {
          told = true;
          await onWait(ahead);
        }
        await new Promise((r) => setTimeout(r, this.pollMs));
      }
    } finally {
      await redis.zrem(this.waitKey, me);
    }
  }

  async release(jobId: number): Promise<void> {
    await this.services.redis.eval(RELEASE, 1, this.lockKey, String(jobId));
  }
}
