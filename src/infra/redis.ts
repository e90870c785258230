import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";
import { StartupError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { describeRedis, isSentinel, type RedisTarget, redisOptions } from "./redis-target.js";
import { redisTrouble } from "./redis-trouble.js";
import { replicaWaitFor } from "./redis-wait.js";

export { describeRedis, type RedisTarget, redisOptions } from "./redis-target.js";

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

/** How changebot runs redis-server: loopback only, no RDB snapshots, append-only when state must survive. */
export function redisServerArgs(port: number, dir: string, appendonly: boolean): string[] {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  return [...args, "--appendonly", appendonly ? "yes" : "no", "--daemonize", "no"];
}

/**
 * Connects and checks the server answers within a few seconds, so an unreachable
 * REDIS_URL (or sentinels that know no primary) is one clear line at start, not a
 * hang. After start, a Redis that goes away is reported (with backoff:
 * redis-trouble.ts) and reconnected by ioredis; under Sentinel, to whichever
 * replica the sentinels promote.
 */
export async function connectRedis(target: RedisTarget, log: Logger, name = "main"): Promise<Redis> {
  const client = new Redis({
    ...redisOptions(target),
    lazyConnect: true,
    connectionName: `changebot-${name}`,
  });
  const where = describeRedis(target);
  let lastError = "";
  let started = false;
  const trouble = redisTrouble(log);
  client.on("error", (e: Error) => {
    if (started) trouble.report(`redis ${where}`, e);
    lastError = e.message;
  });
  client.on("ready", () => {
    if (started) trouble.restored();
    lastError = "";
  });
  if (isSentinel(target)) {
    // Which server the sentinels gave us: a failover shows as a new primary address.
    let primary = "";
    client.on("ready", () => {
      const at = `${client.stream?.remoteAddress}:${client.stream?.remotePort}`;
      if (primary && at !== primary)
        log.warn({ redis: where, was: primary, now: at }, "Redis primary changed");
      primary = at;
    });
    replicaWaitFor(client, target.replicaWaitMs, log);
  }
  const timeout = new Promise<never>((_, rej) =>
    setTimeout(
      () => rej(new StartupError(`cannot reach Redis at ${where}: ${lastError || "no answer within 5s"}`)),
      5000,
    ).unref(),
  );
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
    started = true;
  } catch (e) {
    client.disconnect();
    if (e instanceof StartupError) throw e;
    throw new StartupError(`cannot reach Redis at ${where}: ${lastError || (e as Error).message}`);
  }
  return client;
}
