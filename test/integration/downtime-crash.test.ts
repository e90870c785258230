import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { ANNOUNCE_QUEUE } from "../../src/announce/delayed.js";
import { Queues, WEBHOOK_QUEUE } from "../../src/infra/queues.js";
import { completed, idle } from "../harness/announce-time.js";
import { spawnBot, writeConfig } from "../harness/child.js";
import { redisAndWebhook } from "../harness/webhook.js";

const H = 3_600_000;
const REMINDER = "dt-1-r1-reminder";

describe("a reminder that comes due while the bot is down", () => {
  const w = redisAndWebhook();

  it("is posted once after a kill -9 and restart, marked late", async () => {
    const dir = mkdtempSync(join(tmpdir(), "changebot-crash-"));
    const cfg = writeConfig(
      {
        redis: w.redis.url,
        keyPrefix: "crash",
        networks: { console: { user: "alice" } },
        roles: { lead: ["console:alice"] },
        announce: ["console:console", `webhook:${w.hook.url}`],
        downtime: { lateAfter: "0s" },
        jobs: { lockMs: 2000, stalledCheckMs: 1000 },
        dataDir: join(dir, "data"),
      },
      dir,
    );
    const queues = new Queues({ redisUrl: w.redis.url, prefix: "crash" });
    const announce = queues.get(ANNOUNCE_QUEUE);
    const reminderState = async () => (await announce.getJob(REMINDER))?.getState();
    let bot = spawnBot(["--config", cfg]);
    try {
      // Up and answering first, so the schedule below is handled at once.
      bot.write("!downtime list");
      await bot.waitForLine(/No downtimes scheduled/, 45_000);
      // A child process cannot share the test's ManualClock, so this test runs on real time, but
      // it never waits for a lead time: the start is chosen so that the 4 h reminder is due a
      // moment (3 s) after the command is sent, far more than the bot needs to confirm and announce
      // it; the bot is killed as soon as it has, and restarted once that moment has passed. With
      // lateAfter 0s any delivery after the due time is marked late.
      const due = Date.now() + 3000;
      bot.write(`!downtime schedule ${new Date(due + 4 * H).toISOString()} Crash test`);
      await bot.waitForLine(/Scheduled #1 "Crash test"/, 45_000);
      // The kill comes once the "scheduled" announcement is out, so only the reminder is at stake.
      await w.hook.waitFor((h) => h.body.kind === "downtime-scheduled" && h.status === 200);
      for (const name of [WEBHOOK_QUEUE, "outbox-console"]) await idle(queues.get(name));
      await bot.kill9();
      expect(await reminderState()).toBe("delayed");
      // Restart only after the reminder came due (a wait of at most the 3 s moment above).
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 50));
      // Nobody ran it while the bot was down.
      expect(await reminderState()).toBe("delayed");
      expect(w.hook.hits.filter((h) => h.body.kind === "downtime-reminder")).toEqual([]);

      bot = spawnBot(["--config", cfg]);
      const line = await bot.waitForLine(/Reminder: Downtime #1/, 45_000);
      expect(line).toMatch(/\[late: was due .* UTC, .*\] Reminder: Downtime #1 \(Crash test\) starts/);
      const hit = await w.hook.waitFor((h) => h.body.kind === "downtime-reminder", 30_000);
      expect(hit.body.late).toBe(true);
      expect(String(hit.body.text)).toMatch(/^\[late: /);
      // Handled, and nothing left on the way to a target that could post it again.
      await completed(announce, [REMINDER]);
      const kv = new Redis(w.redis.url);
      expect(await kv.get(`crash:announce:mark:${REMINDER}`).finally(() => kv.quit())).toBe("posted");
      for (const name of [WEBHOOK_QUEUE, "outbox-console"]) await idle(queues.get(name));
      // Only the later slots of the plan are still waiting, hours away.
      const waiting = (await announce.getJobs(["delayed", "wait", "active", "prioritized"])).map((j) => j.id);
      expect(waiting.sort()).toEqual([
        "dt-1-r1-early-pause",
        "dt-1-r1-off-track",
        "dt-1-r1-overrun",
        "dt-1-r1-start",
      ]);
      expect(
        bot
          .stdout()
          .split("\n")
          .filter((l) => l.includes("Reminder: Downtime #1")),
      ).toHaveLength(1);
      expect(w.hook.accepted().filter((h) => h.body.kind === "downtime-reminder")).toHaveLength(1);
    } finally {
      bot.end();
      await bot.exited();
      await queues.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
