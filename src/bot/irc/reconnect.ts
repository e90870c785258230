import type { Logger } from "../../core/log.js";

/** Delay before reconnect attempt n (0-based): doubling from 250 ms up to 30 s, with ±50% jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 250 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.5 + random()));
}

/**
 * Keeps one connection alive: runs an attempt, and when it ends (the socket
 * closed, or never opened) waits a backoff with jitter and tries again. An
 * attempt that got registered resets the backoff. Jitter keeps many bots from
 * hammering a restarted server at the same instant.
 */
export class Reconnector {
  private running = false;
  private timer?: NodeJS.Timeout;
  private attempt = 0;

  constructor(
    private readonly connect: () => Promise<{ registered: boolean }>,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let registered = false;
      try {
        ({ registered } = await this.connect());
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, "irc: connection attempt failed");
      }
      if (!this.running) return;
      if (registered) this.attempt = 0;
      const wait = backoffMs(this.attempt++, this.random);
      this.log.info({ waitMs: wait, attempt: this.attempt }, "irc: reconnecting");
      await new Promise<void>((r) => {
        this.timer = setTimeout(r, wait);
      });
    }
  }
}
