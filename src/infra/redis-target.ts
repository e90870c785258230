import type { RedisOptions } from "ioredis";
import type { SentinelRedis } from "../config/redis-schema.js";
import { maskUrl } from "../core/log.js";

/**
 * Where the bot's Redis is: a redis:// URL (one server, or the private one), or a
 * primary found through Redis Sentinel. Every connection of the process — the
 * main client and BullMQ's queues and workers — is made from it with
 * redisOptions(), so on a failover all of them ask the sentinels for the new
 * primary (ioredis's own Sentinel support; BullMQ uses it as is).
 */
export type RedisTarget = string | SentinelRedis;

export const isSentinel = (t: RedisTarget): t is SentinelRedis => typeof t !== "string";

/** "host:port" → { host, port }; "[::1]:26379" keeps the address without brackets. */
export function parseAddress(a: string): { host: string; port: number } {
  const i = a.lastIndexOf(":");
  return { host: a.slice(0, i).replace(/^\[(.*)\]$/, "$1"), port: Number(a.slice(i + 1)) };
}

/** How logs and messages name a target: never a password. */
export function describeRedis(t: RedisTarget): string {
  return isSentinel(t) ? `sentinel primary "${t.name}" via ${t.sentinels.join(",")}` : maskUrl(t);
}

/** Reconnects back off up to 5 s, so a Redis that comes back (or a new primary) is found soon. */
const retryStrategy = (times: number) => Math.min(200 * 2 ** Math.min(times, 5), 5000);

/** ioredis options for a target; BullMQ needs maxRetriesPerRequest null for its blocking calls. */
export function redisOptions(t: RedisTarget): RedisOptions {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy };
  if (isSentinel(t)) {
    const opts: RedisOptions = {
      ...base,
      sentinels: t.sentinels.map(parseAddress),
      name: t.name,
      role: "master",
      // Sentinels answer +switch-master at once; without this the switch waits for the old connection to fail.
      failoverDetector: true,
      sentinelRetryStrategy: (times: number) => Math.min(100 * times, 2000),
      sentinelMaxConnections: 10,
    };
    if (t.password) opts.password = t.password;
    if (t.username) opts.username = t.username;
    if (t.sentinelPassword) opts.sentinelPassword = t.sentinelPassword;
    if (t.db !== undefined) opts.db = t.db;
    return opts;
  }
  const u = new URL(t);
  const opts: RedisOptions = {
    ...base,
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
  };
  if (u.username) opts.username = decodeURIComponent(u.username);
  if (u.password) opts.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, "");
  if (db) opts.db = Number(db);
  if (u.protocol === "rediss:") opts.tls = {};
  return opts;
}
