import type { Config } from "../config/schema.js";
import { StartupError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { connectRedis, describeRedis } from "./redis.js";

/**
 * `changebot health`: the container's HEALTHCHECK. The bot's state and every job
 * live in Redis, so a bot whose Redis does not answer can do nothing; this pings
 * the Redis of the config (redis:, else REDIS_URL) and resolves with one line.
 */
export async function checkHealth(config: Config, log: Logger, env = process.env): Promise<string> {
  const url = config.redis ?? env.REDIS_URL;
  if (!url)
    throw new StartupError(
      "changebot health checks the bot's Redis: set redis: in the config or REDIS_URL (a private Redis belongs to the running bot alone)",
    );
  const redis = await connectRedis(url, log, "health");
  redis.disconnect();
  return `ok: Redis at ${describeRedis(url)} answers`;
}
