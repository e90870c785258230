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
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }

  /** Takes a token only if one is free now (take() would return 0); otherwise takes nothing. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}

/** Runs writes one after another, each after the bucket allows it. */
export class Pacer {
  private chain: Promise<unknown> = Promise.resolve();
  /** Writes queued by write() and not yet done. */
  private queued = 0;

  constructor(private readonly bucket: TokenBucket) {}

  /** Queues a write; resolves when it has been written (or rejects if it threw). */
  write(fn: () => void): Promise<void> {
    this.queued++;
    const run = this.chain.then(async () => {
      try {
        const wait = this.bucket.take();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        fn();
      } finally {
        this.queued--;
      }
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * Writes now, in this call, when nothing is queued before it and the bucket has
   * a token free (the usual case for an answer's first lines): true. Otherwise
   * writes nothing and takes no token (false): the caller queues it with write().
   * Throws what fn throws. The same bucket counts both ways, so the budget holds.
   */
  writeNow(fn: () => void): boolean {
    if (this.queued > 0 || !this.bucket.tryTake()) return false;
    fn();
    return true;
  }
}
