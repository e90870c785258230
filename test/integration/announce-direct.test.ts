import { spawn } from "node:child_process";
import { Worker } from "bullmq";
import { describe, expect, it } from "vitest";
import { Announcer } from "../../src/announce/announcer.js";
import { ANNOUNCE_QUEUE, AnnounceScheduler } from "../../src/announce/delayed.js";
import { deliver } from "../../src/announce/deliver.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { Outbox } from "../../src/infra/outbox.js";
import { MACHINE } from "../../src/infra/process-name.js";
import { Queues, queueOptions } from "../../src/infra/queues.js";
import { idle } from "../harness/announce-time.js";
import { startTestBot } from "../harness/bot.js";
import { newPrefix } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { redisAndWebhook } from "../harness/webhook.js";

const H = 3_600_000;
const hooks = { stillWanted: async () => true };
const due = (key: string, text: string) => ({ key, due: Date.now(), mattersUntil: Date.now() + H, text });

/**
 * A due announcement for a network this process is connected to is handed to its
 * adapter at once (its job and marker are its durable record), and queued in the
 * outbox otherwise; a delivery resumed after a crash always goes through the
 * queue under its ids, so what its first attempt queued is not posted twice.
 */
describe("a due announcement and the outbox, on a real redis-server", () => {
  const w = redisAndWebhook();

  it("goes straight to a connected channel; one due while the network is down is posted once it is back, each once", async () => {
    const t = await startTestBot({ redisUrl: w.redis.url });
    try {
      const outbox = t.services.queues.get("outbox-console");
      expect(await deliver(t.services, due("direct-now", "posted now"), hooks)).toBe("posted");
      // Out by the time the delivery returns, with no outbox job left behind.
      expect(t.adapter.texts()).toContain("posted now");
      expect(await outbox.getJob("direct-now-console_console")).toBeUndefined();

      t.adapter.setConnected(false);
      expect(await deliver(t.services, due("while-down", "posted later"), hooks)).toBe("posted");
      expect(t.adapter.texts()).not.toContain("posted later");
      expect(await t.services.outbox.pending("console")).toBe(1);
      t.adapter.setConnected(true);
      await t.adapter.waitFor((m) => m.text === "posted later");
      await idle(outbox);
      // Delivered again (a redelivered job): the marker keeps both single.
      expect(await deliver(t.services, due("direct-now", "posted now"), hooks)).toBe("duplicate");
      expect(await deliver(t.services, due("while-down", "posted later"), hooks)).toBe("duplicate");
      const texts = t.adapter.texts();
      expect(texts.filter((x) => x === "posted now")).toHaveLength(1);
      expect(texts.filter((x) => x === "posted later")).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it("a delivery resumed after a crash goes through the queue, so what the first attempt queued is posted once", async () => {
    const t = await startTestBot({ redisUrl: w.redis.url });
    try {
      const a = due("resumed", "said once");
      // The first attempt, by a process that died: it claimed it ("posting") and handed it to
      // the outbox, but died before it could mark it posted.
      const dead = new Queues({ redisUrl: w.redis.url, prefix: t.services.prefix });
      try {
        await t.services.redis.set(`${t.services.prefix}:announce:mark:${a.key}`, "posting");
        const announcer = new Announcer(
          new Outbox(dead, new Set(["console"]), silentLogger()),
          dead,
          [],
          systemClock,
        );
        await announcer.announce(a.text, { id: a.key, here: ["console:console"] });
      } finally {
        await dead.close();
      }
      // This process drains the outbox; the announcement's job comes back to it too.
      await t.adapter.waitFor((m) => m.text === a.text);
      expect(await deliver(t.services, a, hooks)).toBe("posted");
      await idle(t.services.queues.get("outbox-console"));
      await t.services.outbox.send({ network: "console", target: "console", kind: "reply", text: "after" });
      await t.adapter.waitFor((m) => m.text === "after");
      expect(t.adapter.texts().filter((x) => x === "said once")).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });
});

describe("after a process of this host died mid-delivery", () => {
  const w = redisAndWebhook();

  it("the next one takes its announcement back at once, not when the dead one's lock runs out", async () => {
    // A pid that was this host's and is gone.
    const gone = spawn(process.execPath, ["-e", ""]);
    const pid = gone.pid!;
    await new Promise((r) => gone.once("exit", r));
    const prefix = newPrefix();
    const env = { redisUrl: w.redis.url, prefix };
    const queues = new Queues(env);
    // The dead process had taken the due announcement, with a lock for ten minutes.
    const dead = new Worker(ANNOUNCE_QUEUE, null, {
      ...queueOptions(env),
      autorun: false,
      name: `${MACHINE}:${pid}:0dead0`,
      lockDuration: 600_000,
    });
    let t: Awaited<ReturnType<typeof startTestBot>> | undefined;
    try {
      await new AnnounceScheduler(queues, systemClock).schedule(due("taken-by-the-dead", "back at once"));
      await eventually(async () => expect(await dead.getNextJob("dead-token")).toBeDefined());
      await dead.close();
      expect(await queues.get(ANNOUNCE_QUEUE).getActiveCount()).toBe(1);

      t = await startTestBot({ redisUrl: w.redis.url, prefix });
      await t.adapter.waitFor((m) => m.text === "back at once");
      await idle(t.services.queues.get(ANNOUNCE_QUEUE));
      expect(t.adapter.texts().filter((x) => x === "back at once")).toHaveLength(1);
    } finally {
      await t?.stop();
      await queues.close();
    }
  });
});
