import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { startTestBot } from "../harness/bot.js";
import { spawnBot, writeConfig } from "../harness/child.js";
import { capturingLogger } from "../harness/log.js";
import { startRedis } from "../harness/servers.js";

describe("durability across restarts", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("does a job enqueued before a kill -9 exactly once after restart", { timeout: 90_000 }, async () => {
    const prefix = `kill${Date.now()}`;
    const cfg = writeConfig({
      redis: redis.url,
      keyPrefix: prefix,
      networks: { console: { user: "alice" } },
      roles: { admin: ["console:alice"] },
      jobs: { lockMs: 2000, stalledCheckMs: 1000 },
    });
    // A front end only: it queues the job but no worker takes it.
    const first = spawnBot(["--config", cfg, "--role", "frontend"]);
    first.write("!ping");
    await first.waitForLine(/^queued #1: ping$/);
    await first.kill9();
    expect(first.stdout()).not.toMatch(/#1 done/);

    const second = spawnBot(["--config", cfg]);
    await second.waitForLine(/^#1 done \(.*\): pong$/);
    second.end();
    expect((await second.exited()).code).toBe(0);

    const t = await startTestBot({ redisUrl: redis.url, prefix, role: "frontend" });
    const rec = await t.services.jobs.get(1);
    await t.stop();
    expect(rec).toMatchObject({ state: "done", runs: 1, result: "pong" });
  });

  it("delivers a reply queued while the network was down, once it is back, in order", async () => {
    const adapter = new MemoryAdapter("console", 390, ["console"]);
    const t = await startTestBot({ redisUrl: redis.url, adapter });
    try {
      adapter.setConnected(false);
      await adapter.say("!whoami", "tester");
      await adapter.say("!ping", "tester");
      await new Promise((r) => setTimeout(r, 300));
      expect(adapter.sent).toEqual([]);
      expect(await t.services.outbox.pending("console")).toBeGreaterThan(0);
      adapter.setConnected(true);
      await adapter.waitFor((m) => /#\d+ done/.test(m.text));
      expect(adapter.texts()).toEqual([
        "You are console:tester (tester); roles: admin.",
        expect.stringMatching(/^queued #1: ping$/),
        expect.stringMatching(/^#1 done \(.+\): pong$/),
      ]);
    } finally {
      await t.stop();
    }
  });

  it("keeps RC mode and the topic history across a restart", async () => {
    const prefix = `keep${Date.now()}`;
    const a = await startTestBot({ redisUrl: redis.url, prefix });
    await a.adapter.say("!topic set Welcome", "tester");
    await a.adapter.say("!topic add Rollout at 10:00", "tester");
    await a.adapter.say("!rc-mode on release 10381", "tester");
    await a.adapter.waitFor((m) => /#1 done/.test(m.text));
    await a.stop();

    const b = await startTestBot({ redisUrl: redis.url, prefix });
    try {
      await b.adapter.say("!rc-mode", "tester");
      await b.adapter.waitFor((m) => /^RC mode is ON since .* by tester: release 10381\.$/.test(m.text));
      await b.adapter.say("!topic undo", "tester");
      const m = await b.adapter.waitFor((m) => m.kind === "topic");
      expect(m.text).toBe("PQM in RC mode | Welcome");
    } finally {
      await b.stop();
    }
  });

  it("reports a Redis that goes away, reconnects, and serves again", { timeout: 60_000 }, async () => {
    const own = await startRedis();
    const cap = capturingLogger();
    const t = await startTestBot({ redisUrl: own.url, log: cap.log });
    try {
      await own.kill();
      const pending = t.adapter.say("!whoami", "tester");
      await new Promise((r) => setTimeout(r, 500));
      const again = await startRedis({ port: own.port });
      try {
        await pending;
        await t.adapter.waitFor((m) => m.text.startsWith("You are console:tester"), 20_000);
        expect(cap.lines.some((l) => l.msg === "redis connection problem")).toBe(true);
        expect(cap.lines.some((l) => l.msg === "redis connection restored")).toBe(true);
      } finally {
        await t.stop();
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  });
});
