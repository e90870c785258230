import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { UserError } from "../../src/core/errors.js";
import { startTestBot } from "../harness/bot.js";
import { startRedis } from "../harness/servers.js";

/** The topic commands end to end: the router, the topic store, the outbox and the adapter. */
describe("topic commands in a channel", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const s of stops) await s();
    stops = [];
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const bot = async (opts: Partial<Parameters<typeof startTestBot>[0]> = {}) => {
    const t = await startTestBot({
      redisUrl: redis.url,
      roles: { admin: ["ada"], lead: ["lee"], losa: ["lou"], engineer: ["eve"] },
      ...opts,
    });
    stops.push(t.stop);
    return t;
  };

  it("keeps the bot's topic segments through people's edits, and undoes edits", async () => {
    const t = await bot();
    const topic = () => t.adapter.topics.get("console");
    await t.adapter.say("!topic set Welcome | Rollout at 10:00", "ada");
    await t.adapter.waitFor((m) => m.kind === "topic" && m.text === "Welcome | Rollout at 10:00");
    await t.adapter.say("!rc-mode on", "ada");
    await t.adapter.waitFor(
      (m) => m.kind === "topic" && m.text === "PQM in RC mode | Welcome | Rollout at 10:00",
    );
    await t.adapter.say("!topic set Fresh", "ada");
    await t.adapter.waitFor((m) => m.kind === "topic" && m.text === "PQM in RC mode | Fresh");
    await t.adapter.say("!topic remove 1", "ada");
    await t.adapter.waitFor((m) => m.text.startsWith('Segment 1 ("PQM in RC mode") is kept by the bot'));
    await t.adapter.say("!topic undo", "ada");
    await t.adapter.waitFor(
      (m) => m.kind === "topic" && m.text === "PQM in RC mode | Welcome | Rollout at 10:00",
    );
    expect(topic()).toBe("PQM in RC mode | Welcome | Rollout at 10:00");
  });

  it("tells the channel when it may not set the topic", async () => {
    const adapter = new MemoryAdapter("console", 390, ["console"]);
    adapter.topicError = new UserError("I need op in console to change the topic.");
    const t = await bot({ adapter });
    await t.adapter.say("!rc-mode on", "ada");
    await t.adapter.waitFor((m) => m.text === "I need op in console to change the topic.");
  });
});
