import type { Clock } from "../../core/clock.js";

/**
 * A token bucket: `burst` lines at once, then `perSecond`. Servers count lines
 * (ngircd processes a few per second and queues the rest; others kill the
 * client for "Excess Flood"), so every line the adapter writes asks here first.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token; returns how many ms to wait before using it (0: now). */
  take(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}

/** Runs writes one after another, each after the bucket allows it. */
export class Pacer {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly bucket: TokenBucket) {}

  /** Queues a write; resolves when it has been written (or rejects if it threw). */
  write(fn: () => void): Promise<void> {
    const run = this.chain.then(async () => {
      const wait = this.bucket.take();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      fn();
    });
    this.chain = run.catch(() => {});
    return run;
  }
}
