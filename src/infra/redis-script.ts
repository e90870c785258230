import type { Redis } from "ioredis";

type Arg = string | number;
export type RedisScript = (...args: Arg[]) => Promise<unknown>;

/**
 * A Lua script run by its SHA1 (EVALSHA) on a client, loaded on first use:
 * Redis neither receives nor hashes the script's text on every call, as it does
 * for EVAL. ioredis sends EVAL once after a NOSCRIPT (a restarted or failed-over
 * Redis) and EVALSHA again after that. Defined once per client and name.
 */
export function redisScript(redis: Redis, name: string, lua: string, numberOfKeys: number): RedisScript {
  const r = redis as unknown as Record<string, RedisScript | undefined>;
  if (typeof r[name] !== "function") redis.defineCommand(name, { lua, numberOfKeys });
  const fn = r[name] as RedisScript;
  return (...args) => fn.apply(redis, args);
}
