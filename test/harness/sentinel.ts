import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { SentinelRedis } from "../../src/config/redis-schema.js";
import { freePort, redisServerArgs } from "../../src/infra/redis.js";
import { eventually } from "./eventually.js";
import { type RunningServer, requireBinary, spawnServer } from "./servers.js";

/**
 * Redis with Sentinel on loopback, from Debian's redis-server and redis-sentinel:
 * one primary, one replica (--replicaof) and three sentinels monitoring the
 * primary with a quorum of 2, a short down-after (1 s) and failover timeout (5 s).
 * Each sentinel has its own config file in its own temp folder (sentinels
 * rewrite their config). Every process runs in a process group of its own
 * (servers.ts) and stop() ends them all. A missing redis-sentinel fails naming
 * Debian's package; it never skips.
 */
export interface SentinelCluster {
  name: string;
  /** The config's `redis:` for this cluster. */
  target: SentinelRedis;
  primary: RunningServer;
  replica: RunningServer;
  sentinels: RunningServer[];
  /** The primary's address as a sentinel reports it ("127.0.0.1:port"). */
  primaryAddress(): Promise<string>;
  /** Waits until the replica has every write the primary acknowledged (WAIT 1). */
  replicaInSync(): Promise<void>;
  /** kill -9 of the primary; resolves once a sentinel names the replica as the new primary. */
  failover(): Promise<void>;
  /** Starts another replica of the current primary and waits until it is in step. */
  addReplica(): Promise<RunningServer>;
  stop(): Promise<void>;
}

export const DOWN_AFTER_MS = 1000;
export const FAILOVER_TIMEOUT_MS = 5000;

function sentinelConf(port: number, dir: string, name: string, primaryPort: number): string {
  return [
    `port ${port}`,
    "bind 127.0.0.1",
    "daemonize no",
    `dir ${dir}`,
    `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
    `sentinel parallel-syncs ${name} 1`,
    "",
  ].join("\n");
}

async function ask<T>(port: number, f: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on("error", () => {});
  try {
    await r.connect();
    return await f(r);
  } finally {
    r.disconnect();
  }
}

export async function startSentinelCluster(name = "changebot-primary"): Promise<SentinelCluster> {
  const server = requireBinary("redis-server", "redis-server");
  const sentinelBin = requireBinary("redis-sentinel", "redis-sentinel");
  const started: RunningServer[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    const primary = await spawnServer(server, (port, dir) => redisServerArgs(port, dir, true));
    started.push(primary);
    const replica = await spawnServer(server, (port, dir) => [
      ...redisServerArgs(port, dir, true),
      "--replicaof",
      "127.0.0.1",
      String(primary.port),
    ]);
    started.push(replica);
    await eventually(
      () => ask(replica.port, async (r) => /master_link_status:up/.test(await r.info("replication"))),
      "the replica to connect to the primary",
    );
    const sentinels: RunningServer[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), "changebot-sentinel-"));
      const conf = join(dir, "sentinel.conf");
      writeFileSync(conf, sentinelConf(port, dir, name, primary.port));
      const s = await spawnServer(sentinelBin, () => [conf], { port, dir });
      started.push(s);
      sentinels.push(s);
    }
    // A failover needs the sentinels to know each other (hello messages) and the replica.
    for (const s of sentinels)
      await eventually(
        () =>
          ask(s.port, async (r) => {
            const flat = (await r.call("SENTINEL", "MASTER", name)) as string[];
            const info = Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]])));
            return info["num-other-sentinels"] === "2" && info["num-slaves"] === "1";
          }),
        { what: `sentinel on ${s.port} to see the other sentinels and the replica`, timeoutMs: 30_000 },
      );
    const primaryAddress = () =>
      ask(sentinels[0]!.port, async (r) =>
        ((await r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[]).join(":"),
      );
    return {
      name,
      target: { sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`), name, replicaWaitMs: 500 },
      primary,
      replica,
      sentinels,
      primaryAddress,
      replicaInSync: async () => {
        await ask(primary.port, async (r) => {
          await r.set("sentinel-harness:sync", String(Date.now()));
          const n = Number(await r.wait(1, 5000));
          if (n < 1) throw new Error("the replica did not acknowledge the primary's writes within 5 s");
        });
      },
      failover: async () => {
        await primary.kill();
        const want = `127.0.0.1:${replica.port}`;
        for (const s of sentinels)
          await eventually(
            () =>
              ask(
                s.port,
                async (r) =>
                  ((await r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[]).join(":") ===
                  want,
              ),
            {
              what: `sentinel on ${s.port} to name the replica as primary`,
              timeoutMs: 30_000,
              intervalMs: 100,
            },
          );
        await eventually(
          () => ask(replica.port, async (r) => /role:master/.test(await r.info("replication"))),
          "the replica to take the primary role",
        );
      },
      addReplica: async () => {
        const [, port] = (await primaryAddress()).split(":");
        const more = await spawnServer(server, (p, dir) => [
          ...redisServerArgs(p, dir, true),
          "--replicaof",
          "127.0.0.1",
          port!,
        ]);
        started.push(more);
        await eventually(
          () => ask(more.port, async (r) => /master_link_status:up/.test(await r.info("replication"))),
          "the new replica to connect to the primary",
        );
        // In step: it acknowledges the primary's writes (WAIT 1), not only connected.
        await eventually(
          () =>
            ask(Number(port), async (r) => {
              await r.set("sentinel-harness:sync", String(Date.now()));
              return Number(await r.wait(1, 1000)) >= 1;
            }),
          { what: "the new replica to acknowledge the primary's writes", timeoutMs: 30_000 },
        );
        return more;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
