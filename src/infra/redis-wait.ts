import type { Redis } from "ioredis";
import type { Logger } from "../core/log.js";

/**
 * Replication checks of the writes that matter. Redis replicates asynchronously:
 * a write the primary acknowledged and that died with it before reaching a
 * replica is gone after a failover. Under Sentinel, after a run's state change
 * and an announcement's delivered marker, the writer asks `WAIT 1 <ms>`: did a
 * replica get it? When none did within the time, a warning names the write, so
 * an operator knows what to re-check should the primary fail now. The write
 * itself stands either way (WAIT cannot undo it); one Redis has no replica to
 * wait for, so there the check is off.
 */
const waits = new WeakMap<Redis, { ms: number; log: Logger; unconfirmed: number }>();

/** Turns the check on for a client (connectRedis does, for a Sentinel target with replicaWaitMs > 0). */
export function replicaWaitFor(client: Redis, ms: number, log: Logger): void {
  if (ms > 0) waits.set(client, { ms, log, unconfirmed: 0 });
}

/**
 * After a write on `client` that must survive a failover: resolves true when a replica
 * has it (or there is nothing to check), false (and a warning) when none confirmed it.
 * Never throws: a Redis that is away is reported by the connection itself.
 */
export async function confirmReplicated(
  client: Redis,
  what: string,
  fields: Record<string, unknown> = {},
): Promise<boolean> {
  const w = waits.get(client);
  if (!w) return true;
  let got: number;
  try {
    got = Number(await client.wait(1, w.ms));
  } catch {
    return true;
  }
  if (got >= 1) {
    if (w.unconfirmed) {
      w.log.info({ unconfirmed: w.unconfirmed }, "writes reach a replica again");
      w.unconfirmed = 0;
    }
    return true;
  }
  w.unconfirmed++;
  w.log.warn(
    { ...fields, write: what, waitedMs: w.ms },
    "no Redis replica confirmed this write: a failover now could lose it",
  );
  return false;
}

/** How many writes no replica confirmed since the last confirmed one (for tests and health). */
export const unconfirmedWrites = (client: Redis): number => waits.get(client)?.unconfirmed ?? 0;
