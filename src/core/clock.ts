/** Time is a parameter: production passes systemClock, tests pass a clock they move. */
export interface Clock {
  now(): number;
  /** Resolves once the clock reads `t` or later (at once if it already does). */
  until(t: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  async until(t) {
    // Again if woken a hair early: a timer is set from the event loop's cached time.
    while (Date.now() < t) await new Promise((r) => setTimeout(r, t - Date.now()));
  },
};

/** A clock a test sets and advances by hand; `until` resolves when it is moved far enough. */
export class ManualClock implements Clock {
  private waiting: { t: number; wake: () => void }[] = [];

  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  until(t: number): Promise<void> {
    if (t <= this.t) return Promise.resolve();
    return new Promise((wake) => this.waiting.push({ t, wake }));
  }
  set(t: number): void {
    this.t = t;
    const due = this.waiting.filter((w) => w.t <= t);
    this.waiting = this.waiting.filter((w) => w.t > t);
    for (const w of due) w.wake();
  }
  advance(ms: number): void {
    this.set(this.t + ms);
  }
}
