import type { Redis } from "ioredis";
import { Announcer, startWebhookWorker } from "../announce/announcer.js";
import { ANNOUNCE_QUEUE } from "../announce/delayed.js";
import { startAnnounceWorker } from "../announce/deliver.js";
import { downtimeHooks } from "../announce/lifecycle.js";
import type { Config } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { ChatAdapter } from "../core/messages.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import { startRunbookScheduler } from "../domain/runbook/tick.js";
import type { Services } from "../domain/services.js";
import { TopicStore } from "../domain/topic-store.js";
import { createExecutor } from "../exec/dispatch.js";
import { AuditLog } from "../infra/audit.js";
import { JobEvents } from "../infra/events.js";
import { JobStore } from "../infra/job-store.js";
import type { Outbox } from "../infra/outbox.js";
import { type PrivateRedis, startPrivateRedis } from "../infra/private-redis.js";
import { type Queues, WEBHOOK_QUEUE, WORK_QUEUE } from "../infra/queues.js";
import { reclaimFromDead } from "../infra/reclaim.js";
import { connectRedis, type RedisTarget } from "../infra/redis.js";
import { checkRedisSettings } from "../infra/redis-checks.js";

/** What Bot.stop() closes, in the reverse order of their start. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * The Redis this process uses: `url` if given (option, config or REDIS_URL),
 * else a private redis-server of its own under config.dataDir. Its settings are
 * checked; on failure whatever was started is stopped again.
 */
export async function openRedis(
  url: RedisTarget | undefined,
  config: Config,
  log: Logger,
): Promise<{ redis: Redis; url: RedisTarget; privateRedis?: PrivateRedis }> {
  // An empty REDIS_URL names no Redis, as an unset one.
  const privateRedis = url ? undefined : await startPrivateRedis(config.dataDir, log);
  const target = privateRedis?.url ?? url!;
  let redis: Redis | undefined;
  try {
    redis = await connectRedis(target, log);
    await checkRedisSettings(redis, target, log);
  } catch (e) {
    redis?.disconnect();
    await privateRedis?.stop();
    throw e;
  }
  return { redis, url: target, privateRedis };
}

/** The networks this bot speaks on: those configured and those of its adapters (a test's own). */
export function networksOf(config: Config, adapters: readonly ChatAdapter[]): Set<string> {
  const configured = Object.entries(config.networks).filter(([, v]) => v);
  return new Set([...configured.map(([k]) => k), ...adapters.map((a) => a.network)]);
}

/** The services every command, job and page shares, on one Redis connection. */
export function buildServices(o: {
  config: Config;
  log: Logger;
  clock: Clock;
  redis: Redis;
  queues: Queues;
  outbox: Outbox;
  env: NodeJS.ProcessEnv;
}): Services {
  const { config, log, clock, redis, queues, outbox } = o;
  const prefix = config.keyPrefix;
  return {
    config,
    log,
    clock,
    redis,
    prefix,
    queues,
    jobs: new JobStore(redis, prefix, clock, config.jobs.logCapBytes),
    events: new JobEvents(redis, `${prefix}:events`),
    audit: new AuditLog(redis, prefix, clock),
    outbox,
    topics: new TopicStore(redis, prefix),
    announcer: new Announcer(outbox, queues, config.announce, clock),
    exec: createExecutor(config, log, clock, o.env),
  };
}

/**
 * A worker process's background work beside its job workers: the webhook and
 * announcement workers and the runbook scheduler, each handed to `started` as
 * soon as it runs (so a failure of the next still leaves it to be closed).
 */
export function startBackground(s: Services, kinds: StepKinds, started: (c: Closable) => void): void {
  started(startWebhookWorker(s.queues, s.config.webhookSecret, s.log, s.clock, s.config.jobs));
  started(startAnnounceWorker(s, downtimeHooks(s)));
  started(startRunbookScheduler(s, kinds));
}

/**
 * Takes over the jobs of this process's queues (`queues`, plus the work,
 * announcement and webhook queues in a worker) that a process which died left
 * half done. In the background: a failure is logged.
 */
export function reclaimInBackground(s: Services, queues: string[], worker: boolean): void {
  const mine = worker ? [...queues, WORK_QUEUE, ANNOUNCE_QUEUE, WEBHOOK_QUEUE] : queues;
  reclaimFromDead(s.queues, s.redis, mine, s.log).catch((e) =>
    s.log.warn({ err: (e as Error).message }, "could not look for jobs of a process that died"),
  );
}
