import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Runs fn while holding a short Redis lock (SET NX PX with a random token,
 * released only by its holder), so read-modify-write of one key is safe across
 * every process of the bot. A holder that dies frees it after ttlMs.
 */
export async function withRedisLock<T>(
  redis: Redis,
  lock: string,
  fn: () => Promise<T>,
  ttlMs = 10_000,
): Promise<T> {
  const token = randomBytes(8).toString("hex");
  for (let i = 0; ; i++) {
    if (await redis.set(lock, token, "PX", ttlMs, "NX")) break;
    if (i > 1000) throw new Error(`${lock} stays locked`);
    await new Promise((r) => setTimeout(r, 10));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, lock, token);
  }
}
