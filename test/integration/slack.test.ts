import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRedis } from "../harness/servers.js";
import { FakeSlack } from "../harness/slack.js";
import { DEV, startSlackBot } from "../harness/slack-bot.js";

describe("Slack over Socket Mode (real Bolt, fake Slack)", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let fake: FakeSlack;
  let bot: Awaited<ReturnType<typeof startSlackBot>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    fake = await FakeSlack.start();
    fake.users.set("ULEAD", "alice");
    fake.users.set("UDEV", "bob");
    bot = await startSlackBot({ redisUrl: redis.url, fake });
  });
  afterEach(async () => {
    await bot?.stop();
    await fake?.stop();
  });

  it("!rc-mode on: an ack, the result in its thread, and the topic", async () => {
    await fake.deliver(
      fake.eventBody(fake.message(DEV, "ULEAD", "!rc-mode on db deploy &lt;soon&gt; &amp; co")),
    );
    const ack = await fake.waitFor(
      () => fake.posted().find((m) => /^queued #\d+: rc-mode on/.test(m.text)),
      "the ack",
    );
    expect(ack.thread_ts).toBeUndefined();
    const done = await fake.waitFor(
      () => fake.posted().find((m) => m.thread_ts === ack.ts && /done/.test(m.text)),
      "the result in the ack's thread",
    );
    expect(done.text).toMatch(/RC mode is on/);
    const topic = await fake.waitForCall("conversations.setTopic");
    expect(topic.args.channel).toBe(DEV);
    expect(String(topic.args.topic)).toContain("PQM in RC mode");
    // Slack sends "<" as "&lt;"; the reason comes back escaped, never a link or a mention.
    const announced = await fake.waitFor(
      () => fake.posted().find((m) => m.text.includes("PQM is in RC mode")),
      "the announcement",
    );
    expect(announced.text).toContain("alice: db deploy &lt;soon&gt; &amp; co");
  });
});
