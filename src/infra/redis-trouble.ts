import type { Logger } from "../core/log.js";

/**
 * One reporter per logger for every Redis connection of the process (the main
 * client, BullMQ's workers): a Redis that stays away is a warning at once, then
 * at most one per backoff period (doubling up to a minute) with the count of
 * errors in between — never a line per reconnect attempt of each connection.
 */
export interface RedisTrouble {
  /** A connection reported an error; where says which (e.g. "work queue"). */
  report(where: string, err: Error | string): void;
  /** A connection is back: says so once if there was trouble. */
  restored(): void;
}

export const FIRST_BACKOFF_MS = 5_000;
export const MAX_BACKOFF_MS = 60_000;

export function createRedisTrouble(log: Logger, now: () => number = Date.now): RedisTrouble {
  let since: number | undefined;
  let nextAt = 0;
  let backoff = FIRST_BACKOFF_MS;
  let unreported = 0;
  return {
    report(where, err) {
      const t = now();
      const msg = typeof err === "string" ? err : err.message;
      if (since === undefined) {
        since = t;
        backoff = FIRST_BACKOFF_MS;
      } else if (t < nextAt) {
        unreported++;
        return;
      } else {
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      const extra = unreported ? { repeated: unreported, forMs: t - since } : {};
      log.warn({ where, err: msg, ...extra, nextReportInMs: backoff }, "redis connection problem");
      unreported = 0;
      nextAt = t + backoff;
    },
    restored() {
      if (since === undefined) return;
      log.info({ downMs: now() - since, unreported }, "redis connection restored");
      since = undefined;
      unreported = 0;
      nextAt = 0;
    },
  };
}

const byLogger = new WeakMap<Logger, RedisTrouble>();

/** The process's reporter for this logger (created on first use). */
export function redisTrouble(log: Logger): RedisTrouble {
  let r = byLogger.get(log);
  if (!r) {
    r = createRedisTrouble(log);
    byLogger.set(log, r);
  }
  return r;
}
