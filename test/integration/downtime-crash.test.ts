import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnBot, writeConfig } from "../harness/child.js";
import { startRedis } from "../harness/servers.js";
import { startWebhookSink } from "../harness/webhook.js";

const H = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a reminder that comes due while the bot is down", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let hook: Awaited<ReturnType<typeof startWebhookSink>>;
  beforeAll(async () => {
    redis = await startRedis();
    hook = await startWebhookSink();
  });
  afterAll(async () => {
    await hook?.close();
    await redis?.stop();
  });

  it("is posted once after a kill -9 and restart, marked late", async () => {
    const dir = mkdtempSync(join(tmpdir(), "changebot-crash-"));
    const cfg = writeConfig(
      {
        redis: redis.url,
        keyPrefix: "crash",
        networks: { console: { user: "alice" } },
        roles: { lead: ["console:alice"] },
        announce: ["console:console", `webhook:${hook.url}`],
        downtime: { lateAfter: "1s" },
        jobs: { lockMs: 2000, stalledCheckMs: 1000 },
        dataDir: join(dir, "data"),
      },
      dir,
    );
    let bot = spawnBot(["--config", cfg]);
    try {
      // Up and answering first, so the schedule below is handled at once.
      bot.write("!downtime list");
      await bot.waitForLine(/No downtimes scheduled/, 45_000);
      // The 4 h reminder of this start comes due 6 s after it is scheduled.
      const due = Date.now() + 6000;
      bot.write(`!downtime schedule ${new Date(due + 4 * H).toISOString()} Crash test`);
      await bot.waitForLine(/Scheduled #1 "Crash test"/, 45_000);
      await bot.kill9();
      await sleep(Math.max(0, due - Date.now()) + 2000);
      expect(hook.hits.filter((h) => h.body.kind === "downtime-reminder")).toEqual([]);

      bot = spawnBot(["--config", cfg]);
      const line = await bot.waitForLine(/Reminder: Downtime #1/, 45_000);
      expect(line).toMatch(/\[late: was due .* UTC, .*\] Reminder: Downtime #1 \(Crash test\) starts/);
      const hit = await hook.waitFor((h) => h.body.kind === "downtime-reminder", 30_000);
      expect(hit.body.late).toBe(true);
      expect(String(hit.body.text)).toMatch(/^\[late: /);
      await sleep(2000);
      expect(
        bot
          .stdout()
          .split("\n")
          .filter((l) => l.includes("Reminder: Downtime #1")),
      ).toHaveLength(1);
      expect(hook.accepted().filter((h) => h.body.kind === "downtime-reminder")).toHaveLength(1);
    } finally {
      bot.end();
      await bot.exited();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
