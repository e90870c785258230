import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive, isRedisIn, redisServersIn, waitGone } from "../../src/infra/proc.js";
import { type ChildBot, spawnBot, writeConfig } from "../harness/child.js";
import { testConfig } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";

describe("the private Redis of a data folder", () => {
  const bots: ChildBot[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const b of bots) if (b.proc.exitCode === null && b.proc.signalCode === null) await b.kill9();
    for (const d of dirs) {
      for (const s of redisServersIn(join(d, "redis"))) {
        process.kill(s.pid, "SIGKILL");
        await waitGone(s.pid);
      }
      rmSync(d, { recursive: true, force: true });
    }
  });

  /** A data folder and a config (console user alice, its own key prefix) on it; no Redis configured. */
  function setup(): { data: string; redisDir: string; config: (prefix: string) => string } {
    const data = mkdtempSync(join(tmpdir(), "changebot-data-"));
    dirs.push(data);
    mkdirSync(join(data, "redis"));
    const config = (prefix: string) =>
      writeConfig(
        // No Redis and the default job locks: the bot starts the folder's own.
        testConfig({
          prefix,
          user: "alice",
          jobs: {},
          dataDir: data,
          log: { file: join(data, `${prefix}.log`) },
        }),
        mkdtempSync(join(data, "cfg-")),
      );
    return { data, redisDir: realpathSync(join(data, "redis")), config };
  }
  const start = (cfg: string) => {
    const b = spawnBot(["--config", cfg]);
    bots.push(b);
    return b;
  };
  const record = (redisDir: string) =>
    JSON.parse(readFileSync(join(redisDir, "changebot-redis.json"), "utf8")) as {
      pid: number;
      port: number;
      bots: number[];
    };

  it("is found and reused after a kill -9 of its bot, and stopped by the next bot's clean stop", {
    timeout: 90_000,
  }, async () => {
    const { redisDir, config } = setup();
    const cfg = config("crash");
    const first = start(cfg);
    first.write("!ping");
    await first.waitForLine(/^#1 done \(.*\): pong$/);
    const before = record(redisDir);
    await first.kill9();
    // The crash left it running (it is not the bot's to take along mid-write)…
    expect(isRedisIn(before.pid, redisDir)).toBe(true);

    // …and the next bot on the folder uses that same server, with its data.
    const second = start(cfg);
    second.write("!job 1");
    await second.waitForLine(/^result: pong$/);
    expect(record(redisDir)).toMatchObject({ pid: before.pid, port: before.port, bots: [second.proc.pid] });
    expect(redisServersIn(redisDir).map((s) => s.pid)).toEqual([before.pid]);

    second.end();
    expect((await second.exited()).code).toBe(0);
    await eventually(() => !isAlive(before.pid), {
      what: "the private redis-server to stop",
      timeoutMs: 20_000,
    });
    expect(redisServersIn(redisDir)).toEqual([]);
    expect(existsSync(join(redisDir, "changebot-redis.json"))).toBe(false);
  });

  it("is one redis-server shared by two bots started on the folder at once", {
    timeout: 90_000,
  }, async () => {
    const { redisDir, config } = setup();
    const [a, b] = [start(config("one")), start(config("two"))];
    a.write("!ping");
    b.write("!ping");
    await Promise.all([a.waitForLine(/^#1 done \(.*\): pong$/), b.waitForLine(/^#1 done \(.*\): pong$/)]);
    const servers = redisServersIn(redisDir);
    expect(servers).toHaveLength(1);
    const shared = record(redisDir);
    expect(shared.pid).toBe(servers[0]?.pid);
    expect(shared.bots.sort()).toEqual([a.proc.pid, b.proc.pid].sort());

    // The first to stop leaves it to the other, which goes on working.
    a.end();
    expect((await a.exited()).code).toBe(0);
    expect(isRedisIn(shared.pid, redisDir)).toBe(true);
    b.write("!ping");
    await b.waitForLine(/^#2 done \(.*\): pong$/);

    // The last one stops it.
    b.end();
    expect((await b.exited()).code).toBe(0);
    await eventually(() => !isAlive(shared.pid), {
      what: "the private redis-server to stop",
      timeoutMs: 20_000,
    });
    expect(redisServersIn(redisDir)).toEqual([]);
  });
});
