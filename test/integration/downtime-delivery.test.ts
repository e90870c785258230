import { describe, expect, it } from "vitest";
import { ANNOUNCE_QUEUE } from "../../src/announce/delayed.js";
import { deliver } from "../../src/announce/deliver.js";
import { scheduler } from "../../src/announce/lifecycle.js";
import { WEBHOOK_QUEUE } from "../../src/infra/queues.js";
import { completed, idle } from "../harness/announce-time.js";
import { startTestBot } from "../harness/bot.js";
import { redisAndWebhook } from "../harness/webhook.js";

const H = 3_600_000;

describe("announcement delivery is at most once, on a real redis-server", () => {
  const w = redisAndWebhook();

  it("an announcement repeated under the same id is posted once, even after its first delivery was cleaned up", async () => {
    const t = await startTestBot({ redisUrl: w.redis.url });
    try {
      const outbox = t.services.queues.get("outbox-console");
      await t.services.announcer.announce("only once", { id: "dup-check" });
      await t.adapter.waitFor((m) => m.text === "only once");
      // Enough other messages that the outbox's retention removes the first delivery's job.
      // Sent while the network is down, so each one is a job in the outbox (a connected
      // network may get a plain reply directly, leaving no job behind).
      t.adapter.setConnected(false);
      for (let i = 0; i < 520; i++)
        await t.services.outbox.send({
          network: "console",
          target: "console",
          kind: "reply",
          text: `filler ${i}`,
        });
      expect(await t.services.outbox.pending("console")).toBeGreaterThanOrEqual(520);
      t.adapter.setConnected(true);
      await t.adapter.waitFor((m) => m.text === "filler 519");
      expect((await outbox.getCompleted(0, 1000)).some((j) => j.id === "dup-check-console_console")).toBe(
        false,
      );
      await t.services.announcer.announce("only once", { id: "dup-check" });
      await t.services.outbox.send({ network: "console", target: "console", kind: "reply", text: "after" });
      await t.adapter.waitFor((m) => m.text === "after");
      expect(t.adapter.texts().filter((x) => x === "only once")).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it("a redelivered announcement job posts nothing the second time", async () => {
    const t = await startTestBot({ redisUrl: w.redis.url });
    try {
      const a = { key: "redeliver-check", due: Date.now(), mattersUntil: Date.now() + H, text: "once only" };
      const hooks = { stillWanted: async () => true };
      expect(await deliver(t.services, a, hooks)).toBe("posted");
      expect(await deliver(t.services, a, hooks)).toBe("duplicate");
      await t.adapter.waitFor((m) => m.text === "once only");
      // Nothing left in the outbox that could post it again.
      await idle(t.services.queues.get("outbox-console"));
      expect(t.adapter.texts().filter((x) => x === "once only")).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it("a webhook that fails twice then succeeds gets exactly one delivery", async () => {
    const t = await startTestBot({ redisUrl: w.redis.url, config: { announce: [`webhook:${w.hook.url}`] } });
    const mark = w.hook.hits.length;
    try {
      w.hook.fail(2);
      await scheduler(t.services).schedule({
        key: "retry-check",
        due: Date.now(),
        mattersUntil: Date.now() + H,
        text: "retry me",
      });
      await w.hook.waitFor((h) => h.body.text === "retry me" && h.status === 200);
      // The announcement was handed on once and no webhook attempt is left to run.
      await completed(t.services.queues.get(ANNOUNCE_QUEUE), ["retry-check"]);
      await idle(t.services.queues.get(WEBHOOK_QUEUE));
      await idle(t.services.queues.get(ANNOUNCE_QUEUE));
      const mine = w.hook.hits.slice(mark);
      expect(mine.map((h) => h.status)).toEqual([503, 503, 200]);
      expect(new Set(mine.map((h) => h.headers["x-changebot-delivery"])).size).toBe(1);
    } finally {
      await t.stop();
    }
  });
});
