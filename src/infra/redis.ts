import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { Redis, type RedisOptions } from "ioredis";
import { StartupError } from "../core/errors.js";
import { type Logger, maskUrl } from "../core/log.js";
import { redisTrouble } from "./redis-trouble.js";

export const REDIS_PACKAGE_HINT =
  "redis-server is not installed: install Debian's package (apt-get install redis-server), or set REDIS_URL (or redis: in the config) to a Redis you run";

/** A free TCP port on 127.0.0.1 (bind to 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

/** Whether port is free on 127.0.0.1 (to start a private Redis again where it was). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once("error", () => res(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => res(true)));
  });
}

/** A program on PATH (or in /usr/sbin, /sbin, where Debian puts daemons), or undefined. */
export function findBinary(name: string, path = process.env.PATH ?? ""): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), "/usr/sbin", "/sbin"];
  for (const d of dirs) {
    const f = join(d, name);
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** ioredis options from a redis:// URL; BullMQ needs maxRetriesPerRequest null for its blocking calls. */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  const opts: RedisOptions = {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 5), 5000),
  };
  if (u.username) opts.username = decodeURIComponent(u.username);
  if (u.password) opts.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, "");
  if (db) opts.db = Number(db);
  if (u.protocol === "rediss:") opts.tls = {};
  return opts;
}

/** How changebot runs redis-server: loopback only, no RDB snapshots, append-only when state must survive. */
export function redisServerArgs(port: number, dir: string, appendonly: boolean): string[] {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  return [...args, "--appendonly", appendonly ? "yes" : "no", "--daemonize", "no"];
}

/**
 * Connects and checks the server answers within a few seconds, so an unreachable
 * REDIS_URL is one clear line at start, not a hang. After start, a Redis that
 * goes away is reported (with backoff: redis-trouble.ts) and reconnected by ioredis.
 */
export async function connectRedis(url: string, log: Logger, name = "main"): Promise<Redis> {
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, connectionName: `changebot-${name}` });
  let lastError = "";
  let started = false;
  const trouble = redisTrouble(log);
  client.on("error", (e: Error) => {
    if (started) trouble.report(`redis ${maskUrl(url)}`, e);
    lastError = e.message;
  });
  client.on("ready", () => {
    if (started) trouble.restored();
    lastError = "";
  });
  const timeout = new Promise<never>((_, rej) =>
    setTimeout(
      () =>
        rej(new StartupError(`cannot reach Redis at ${maskUrl(url)}: ${lastError || "no answer within 5s"}`)),
      5000,
    ).unref(),
  );
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
    started = true;
  } catch (e) {
    client.disconnect();
    if (e instanceof StartupError) throw e;
    throw new StartupError(`cannot reach Redis at ${maskUrl(url)}: ${lastError || (e as Error).message}`);
  }
  return client;
}
