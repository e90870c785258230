import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { redisServerArgs } from "../../src/infra/redis.js";
import { startTestBot } from "../harness/bot.js";
import { spawnBot } from "../harness/child.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { capturingLogger } from "../harness/log.js";
import { requireBinary, spawnServer } from "../harness/servers.js";

/** A redis-server of the test's own with extra settings (e.g. an eviction policy). */
async function redisWith(extra: string[], appendonly = true) {
  const bin = requireBinary("redis-server", "redis-server");
  const srv = await spawnServer(bin, (port, dir) => [...redisServerArgs(port, dir, appendonly), ...extra]);
  return { ...srv, url: `redis://127.0.0.1:${srv.port}` };
}

const warnings = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => (l.level as number) >= 40).map((l) => l.msg as string);

describe("the Redis settings the bot checks at start", () => {
  test("refuses an eviction policy other than noeviction, saying how to fix it", async () => {
    const srv = await redisWith(["--maxmemory-policy", "allkeys-lru"]);
    try {
      const cap = capturingLogger();
      await expect(startTestBot({ redisUrl: srv.url, log: cap.log })).rejects.toThrow(
        /maxmemory-policy allkeys-lru: changebot needs noeviction, .*Set "maxmemory-policy noeviction" in redis\.conf/,
      );
    } finally {
      await srv.stop();
    }
  });

  test("warns once when append-only persistence is off; says nothing when it is on", async () => {
    const off = await redisWith([], false);
    const on = await redisWith([], true);
    try {
      const a = capturingLogger();
      const t = await startTestBot({ redisUrl: off.url, log: a.log });
      await t.stop();
      expect(warnings(a.lines).filter((w) => w.includes("append-only"))).toEqual([
        'Redis append-only persistence is off: a restart of Redis loses what changed since its last snapshot; set "appendonly yes" in redis.conf',
      ]);
      const b = capturingLogger();
      const u = await startTestBot({ redisUrl: on.url, log: b.log });
      await u.stop();
      expect(warnings(b.lines).filter((w) => /append-only|could not check/.test(w))).toEqual([]);
    } finally {
      await Promise.all([off.stop(), on.stop()]);
    }
  });

  test("where CONFIG is disabled, says it could not check and starts", async () => {
    const srv = await redisWith(["--rename-command", "CONFIG", ""]);
    try {
      const cap = capturingLogger();
      const t = await startTestBot({ redisUrl: srv.url, log: cap.log });
      await t.adapter.say("!ping", "tester");
      await t.adapter.waitFor((m) => /#\d+ done .*: pong$/.test(m.text));
      await t.stop();
      expect(warnings(cap.lines)).toContain(
        "could not check the Redis settings (CONFIG GET is disabled or not allowed): make sure maxmemory-policy is noeviction and appendonly is yes",
      );
    } finally {
      await srv.stop();
    }
  });

  test("an unreachable Sentinel setup is one line naming the sentinels, never a password", async () => {
    const cap = capturingLogger();
    const target = {
      sentinels: ["127.0.0.1:1"],
      name: "mymaster",
      password: "hunter2-primary",
      sentinelPassword: "hunter2-sentinel",
      replicaWaitMs: 500,
    };
    const err = await startTestBot({ redisUrl: target, log: cap.log }).then(
      () => new Error("started"),
      (e: Error) => e,
    );
    expect(err.message).toMatch(/^cannot reach Redis at sentinel primary "mymaster" via 127\.0\.0\.1:1: /);
    expect(`${err.message}\n${cap.text()}`).not.toMatch(/hunter2/);
  });
});

describe("changebot validate on redis: with sentinels", () => {
  const dir = mkdtempSync(join(tmpdir(), "changebot-sentinel-cfg-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const validate = async (yaml: string) => {
    const file = join(dir, "changebot.yaml");
    writeFileSync(file, `networks: { console: {} }\nannounce: ["console:ops"]\n${yaml}`);
    const bot = spawnBot(["validate", "--config", file], { CHANGEBOT_DATA: dir });
    const { code } = await bot.exited();
    return { code, out: bot.stdout() + bot.stderr() };
  };

  test("accepts the Sentinel form, shows it without its passwords, warns about fewer than three sentinels", async () => {
    const three = await validate(
      'redis: { sentinels: ["10.0.0.5:26379", "10.0.0.6:26379", "[::1]:26379"], name: mymaster, password: s3cret-a, sentinelPassword: s3cret-b }\n',
    );
    expect(three.code).toBe(0);
    expect(three.out).toContain(
      '  redis: primary "mymaster" through 3 sentinel(s): 10.0.0.5:26379, 10.0.0.6:26379, [::1]:26379',
    );
    expect(three.out).not.toContain("warning: config redis");
    expect(three.out).not.toMatch(/s3cret/);
    const one = await validate('redis: { sentinels: ["10.0.0.5:26379"], name: mymaster }\n');
    expect(one.code).toBe(0);
    expect(one.out).toContain("warning: config redis.sentinels: 1 sentinel; a failover needs a majority");
  });

  test("refuses a malformed one, naming the key", async () => {
    const bad = await validate('redis: { sentinels: ["10.0.0.5"], name: mymaster, pasword: x }\n');
    expect(bad.code).toBe(2);
    expect(bad.out.trim().split("\n")).toEqual([
      'changebot: config redis.sentinels[0]: expected "host:port", e.g. "10.0.0.5:26379"',
      'config redis: unknown key(s) "pasword"',
    ]);
    const port = await validate('redis: { sentinels: ["10.0.0.5:70000"], name: mymaster }\n');
    expect(port.out).toContain("config redis.sentinels[0]: the port must be 1-65535");
  });
});
