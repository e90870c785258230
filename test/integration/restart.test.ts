import { MemoryAdapter } from "../../src/bot/memory.js";
import { startTestBot } from "../harness/bot.js";
import { spawnBot, writeConfig } from "../harness/child.js";
import { testConfig } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { capturingLogger } from "../harness/log.js";
import { startRedis } from "../harness/servers.js";

describe("durability across restarts", () => {
  test("does a job enqueued before a kill -9 exactly once after restart", { timeout: 90_000 }, async ({
    redis,
    prefix,
    bot,
  }) => {
    const cfg = writeConfig(testConfig({ redis: redis.url, prefix, user: "alice" }));
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

    const t = await bot({ role: "frontend" });
    const rec = await t.services.jobs.get(1);
    await t.stop();
    expect(rec).toMatchObject({ state: "done", runs: 1, result: "pong" });
  });

  test("says a job's end that its worker wrote but died before saying, once, when the job comes back", async ({
    bot,
  }) => {
    // A front end queues !ping; no worker takes it yet.
    const a = await bot({ role: "frontend" });
    await a.adapter.say("!ping", "tester");
    await a.adapter.waitFor((m) => /^queued #1: ping$/.test(m.text));
    // As a worker leaves it when it dies between writing the job's end and saying it: the
    // record is done, its end unsaid, and the queue's job not completed (it comes back).
    await a.services.jobs.update(1, {
      state: "done",
      result: "pong",
      finishedAt: Date.now(),
      unsaid: JSON.stringify({ text: "done (3ms): pong", kind: "reply" }),
    });
    await a.stop();

    const b = await bot();
    await b.adapter.waitFor((m) => /#1 done/.test(m.text));
    await new Promise((r) => setTimeout(r, 300));
    expect(b.adapter.texts().filter((x) => /#1 /.test(x))).toEqual(["#1 done (3ms): pong"]);
    // Said, not run again, and no longer unsaid.
    await eventually(
      async () => (await b.services.jobs.get(1))?.unsaid === undefined,
      "job #1's end marked said",
    );
    expect(await b.services.jobs.get(1)).toMatchObject({ state: "done", runs: 0, result: "pong" });

    // A job that runs to its end leaves nothing unsaid.
    await b.adapter.say("!ping", "tester");
    await b.adapter.waitFor((m) => /#2 done/.test(m.text));
    await eventually(
      async () => (await b.services.jobs.get(2))?.unsaid === undefined,
      "job #2's end marked said",
    );
    expect(await b.services.jobs.get(2)).toMatchObject({ state: "done", runs: 1 });
  });

  test("delivers a reply queued while the network was down, once it is back, in order", async ({ bot }) => {
    const adapter = new MemoryAdapter("console", 390, ["console"]);
    const t = await bot({ adapter });
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
  });

  test("keeps RC mode and the topic history across a restart", async ({ bot }) => {
    const a = await bot();
    await a.adapter.say("!topic set Welcome", "tester");
    await a.adapter.say("!topic add Rollout at 10:00", "tester");
    await a.adapter.say("!rc-mode on release 10381", "tester");
    await a.adapter.waitFor((m) => /#1 done/.test(m.text));
    await a.stop();

    const b = await bot();
    await b.adapter.say("!rc-mode", "tester");
    await b.adapter.waitFor((m) => /^RC mode is ON since .* by tester: release 10381\.$/.test(m.text));
    await b.adapter.say("!topic undo", "tester");
    const m = await b.adapter.waitFor((m) => m.kind === "topic");
    expect(m.text).toBe("PQM in RC mode | Welcome");
  });

  // A redis-server of its own: this test kills it.
  test("reports a Redis that goes away, reconnects, and serves again", { timeout: 60_000 }, async () => {
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
