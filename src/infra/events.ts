import type { Redis } from "ioredis";
import { type JobState, type JobStore, TERMINAL } from "./job-store.js";

/**
 * A job's state change as published. At a job's end it also says what kind of
 * job it was and how long its run took, so a listener that counts them (the
 * metrics) need not read the record.
 */
export interface JobEvent {
  id: number;
  state: JobState;
  name?: string;
  seconds?: number;
}

/**
 * Job state changes, published on a Redis channel so any process (the console
 * waiting for its script's jobs, a runbook run waiting for its step) hears them.
 */
export class JobEvents {
  private sub?: Redis;
  private subscribed?: Promise<void>;
  private readonly waiters = new Map<number, Set<(state: JobState) => void>>();
  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
  ) {}

  /** Publishes a state change (a job's end with its kind and run time where the runner has them). */
  async publish(e: JobEvent): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(e));
  }

  /** Every caller waits for the same SUBSCRIBE to be confirmed, so no caller can miss an event published meanwhile. */
  private subscribe(): Promise<void> {
    this.subscribed ??= (async () => {
      const sub = this.redis.duplicate();
      this.sub = sub;
      sub.on("error", () => {});
      sub.on("message", (_ch: string, payload: string) => {
        const { id, state } = JSON.parse(payload) as JobEvent;
        for (const fn of this.waiters.get(id) ?? []) fn(state);
      });
      await sub.subscribe(this.channel);
    })();
    return this.subscribed;
  }

  /** Resolves when the job reaches a state accepted by `until`; `current` is checked after subscribing, so nothing is missed. */
  async waitFor(
    id: number,
    until: (s: JobState) => boolean,
    current: () => Promise<JobState | undefined>,
  ): Promise<JobState> {
    await this.subscribe();
    return new Promise<JobState>((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const done = (s: JobState) => {
        if (!until(s)) return;
        clearInterval(recheck);
        set.delete(fn);
        if (!set.size) this.waiters.delete(id);
        resolve(s);
      };
      const fn = (s: JobState) => done(s);
      set.add(fn);
      const check = () =>
        void current().then(
          (s) => s && done(s),
          () => {},
        );
      // Pub/sub drops what is published while a connection is being re-established; look again now and then.
      const recheck = setInterval(check, 2000);
      recheck.unref();
      check();
    });
  }

  /** Resolves when the job has finished (done, failed, interrupted or cancelled). */
  finished(id: number, jobs: JobStore): Promise<JobState> {
    return this.waitFor(
      id,
      (s) => TERMINAL.includes(s),
      () => jobs.state(id),
    );
  }

  async close(): Promise<void> {
    this.sub?.disconnect();
    this.sub = undefined;
    this.subscribed = undefined;
  }
}
