import type { Config } from "../config/schema.js";
import { systemClock } from "../core/clock.js";
import { StartupError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { connectRedis } from "../infra/redis.js";
import { DowntimeStore } from "./downtimes.js";
import { downtimesToIcs } from "./ics.js";
import { describe } from "./wording.js";

/** `changebot downtimes [--ics]`: the schedule from the bot's Redis, as text or iCalendar, on stdout. */
export async function printDowntimes(
  config: Config,
  log: Logger,
  opts: { ics: boolean; env?: NodeJS.ProcessEnv; out?: NodeJS.WritableStream },
): Promise<void> {
  const url = config.redis ?? (opts.env ?? process.env).REDIS_URL;
  if (!url)
    throw new StartupError(
      "changebot downtimes reads the schedule from the bot's Redis: set redis: in the config or REDIS_URL (a private Redis belongs to the running bot alone)",
    );
  const redis = await connectRedis(url, log, "export");
  try {
    const list = await new DowntimeStore(redis, config.keyPrefix).all();
    const now = systemClock.now();
    const out = opts.out ?? process.stdout;
    if (opts.ics)
      out.write(downtimesToIcs(list, { name: config.name, domain: `${config.keyPrefix}.changebot`, now }));
    else out.write(list.length ? `${list.map((d) => describe(d, now)).join("\n")}\n` : "No downtimes.\n");
  } finally {
    redis.disconnect();
  }
}
