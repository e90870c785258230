import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestBot } from "../harness/bot.js";
import { startRedis } from "../harness/servers.js";

describe("the bot on a real redis-server", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("turns RC mode on and off, keeping the topic true", async () => {
    const t = await startTestBot({ redisUrl: redis.url });
    try {
      await t.adapter.say("!rc-mode on testing", "tester");
      await t.adapter.waitFor((m) => m.kind === "topic" && m.text.includes("PQM in RC mode"));
      await t.adapter.waitFor((m) => /#\d+ done/.test(m.text));
      await t.adapter.say("!rc-mode off", "tester");
      await t.adapter.waitFor((m) => m.kind === "topic" && !m.text.includes("PQM in RC mode"));
      expect(t.adapter.topics.get("console")).toBe("");
    } finally {
      await t.stop();
    }
  });
});
