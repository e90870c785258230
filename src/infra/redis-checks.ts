import type { Redis } from "ioredis";
import { StartupError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { describeRedis, type RedisTarget } from "./redis-target.js";

/**
 * The Redis settings BullMQ and the bot's state need, checked once at start on
 * the server the bot writes to (under Sentinel, the primary):
 * - maxmemory-policy must be noeviction: any other policy lets Redis delete
 *   queued jobs, locks and run state when memory runs short, silently. The bot
 *   refuses to start, saying how to fix it.
 * - appendonly should be yes: without it a restart of Redis loses what changed
 *   since its last snapshot. A warning: a server whose replicas carry the
 *   durability may be run that way on purpose.
 * Where CONFIG is disabled or not allowed (many hosted Redis), the bot says it
 * could not check and goes on.
 */
export interface RedisSettingsReport {
  policy?: string;
  appendonly?: string;
  /** Why the settings could not be read, when they could not. */
  unchecked?: string;
}

/** Both settings in one round trip (start time matters); throws what CONFIG answered when refused. */
async function configGet(client: Redis, names: string[]): Promise<(string | undefined)[]> {
  const p = client.pipeline();
  for (const n of names) p.config("GET", n);
  const res = (await p.exec()) ?? [];
  return res.map(([err, got]) => {
    if (err) throw err;
    return (got as string[])[1];
  });
}

export async function checkRedisSettings(
  client: Redis,
  target: RedisTarget,
  log: Logger,
): Promise<RedisSettingsReport> {
  const where = describeRedis(target);
  let policy: string | undefined;
  let appendonly: string | undefined;
  try {
    [policy, appendonly] = await configGet(client, ["maxmemory-policy", "appendonly"]);
  } catch (e) {
    const unchecked = (e as Error).message.split("\n")[0]!;
    log.warn(
      { redis: where, err: unchecked },
      "could not check the Redis settings (CONFIG GET is disabled or not allowed): make sure maxmemory-policy is noeviction and appendonly is yes",
    );
    return { unchecked };
  }
  if (policy !== undefined && policy !== "noeviction")
    throw new StartupError(
      `Redis at ${where} has maxmemory-policy ${policy}: changebot needs noeviction, or Redis may delete queued jobs and run state when memory runs short. Set "maxmemory-policy noeviction" in redis.conf (and CONFIG SET maxmemory-policy noeviction on the running server)`,
    );
  if (appendonly === "no")
    log.warn(
      { redis: where },
      'Redis append-only persistence is off: a restart of Redis loses what changed since its last snapshot; set "appendonly yes" in redis.conf',
    );
  return { policy, appendonly };
}
