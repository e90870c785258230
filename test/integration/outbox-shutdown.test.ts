import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { outboxQueueName } from "../../src/infra/queues.js";
import { startTestBot } from "../harness/bot.js";
import { startRedis } from "../harness/servers.js";

describe("a reply waiting for a disconnected network when the bot shuts down", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("stays queued and is delivered by the next process", async () => {
    const prefix = `obx${randomBytes(3).toString("hex")}`;
    const down = new MemoryAdapter("console", 390, ["console"]);
    down.setConnected(false);
    const first = await startTestBot({ redisUrl: redis.url, prefix, adapter: down });
    await down.say("!whoami");
    const queue = first.services.queues.get(outboxQueueName("console"));
    // The outbox worker holds the reply until the network is back.
    for (let i = 0; i < 200 && (await queue.getJobCounts("active")).active !== 1; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await queue.getJobCounts("active")).active).toBe(1);
    await first.stop();
    expect(down.texts()).toEqual([]);

    const up = new MemoryAdapter("console", 390, ["console"]);
    const second = await startTestBot({ redisUrl: redis.url, prefix, adapter: up });
    try {
      const m = await up.waitFor((x) => /You are console:tester/.test(x.text));
      expect(m.target).toBe("console");
    } finally {
      await second.stop();
    }
  });
});
