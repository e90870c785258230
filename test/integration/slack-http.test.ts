import { describe, expect, it } from "vitest";
import { DEV, SIGNING_SECRET } from "../harness/slack-bot.js";
import { clickPayload, eventBody, postEvent, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

describe("Slack over the HTTP Events API", () => {
  const t = slackSuite({ mode: "http" });

  it("a bad or stale signature gets 401 and runs nothing; a signed request runs once, retries or not", async () => {
    const { fake, bot } = t;
    const url = bot.eventsUrl();
    const forged = eventBody(userMessage(DEV, "ULEAD", "!rc-mode on forged"));
    const bad = await postEvent(url, forged, { secret: "not-the-secret" });
    expect(bad.status).toBe(401);
    const tampered = await postEvent(url, forged, { secret: SIGNING_SECRET, signature: "v0=00" });
    expect(tampered.status).toBe(401);
    const stale = eventBody(userMessage(DEV, "ULEAD", "!rc-mode on replayed"));
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postEvent(url, stale, { secret: SIGNING_SECRET, timestamp: old })).status).toBe(401);

    const challenge = await postEvent(
      url,
      { type: "url_verification", challenge: "c-123" },
      { secret: SIGNING_SECRET },
    );
    expect(challenge.status).toBe(200);
    expect(await challenge.text()).toContain("c-123");

    const good = eventBody(userMessage(DEV, "UDEV", "!ping"));
    expect((await postEvent(url, good, { secret: SIGNING_SECRET })).status).toBe(200);
    expect((await postEvent(url, good, { secret: SIGNING_SECRET, retryNum: 1 })).status).toBe(200);
    expect((await postEvent(url, good, { secret: SIGNING_SECRET, retryNum: 2 })).status).toBe(200);
    await fake.waitFor(() => fake.posted().find((m) => /#\d+ done/.test(m.text)), "the ping's result");
    await postEvent(url, eventBody(userMessage(DEV, "UDEV", "!rc-mode")), { secret: SIGNING_SECRET });
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("RC mode is off")), "the status");

    const jobs = await bot.bot.services.jobs.recent(10);
    expect(jobs.map((j) => j.summary)).toEqual(["ping"]);
    expect(fake.posted().filter((m) => m.text.startsWith("queued #"))).toHaveLength(1);
    expect(fake.callsTo("conversations.setTopic")).toHaveLength(0);
  });

  it("a button click arrives signed over HTTP and runs as the clicker", async () => {
    const { fake, bot } = t;
    await bot.bot.services.outbox.send({
      network: "slack",
      target: DEV,
      kind: "reply",
      text: "Put PQM in RC mode?",
      actions: [{ label: "RC mode on", command: "!rc-mode on" }],
    });
    const asked = await fake.waitFor(() => fake.posted().find((m) => m.blocks), "the message with a button");
    const click = clickPayload(asked, "ULEAD", 0, "1700000300.000001");
    const forged = await postEvent(bot.eventsUrl(), click, { secret: "nope", form: true });
    expect(forged.status).toBe(401);
    const res = await postEvent(bot.eventsUrl(), click, { secret: SIGNING_SECRET, form: true });
    expect(res.status).toBe(200);
    await fake.waitForCall("chat.update", (a) => a.ts === asked.ts);
    expect(JSON.stringify(fake.messages.get(asked.ts)!.blocks)).toContain("RC mode on by <@ULEAD>");
    await fake.waitForCall("conversations.setTopic", (a) => String(a.topic).includes("PQM in RC mode"));
    expect(fake.callsTo("chat.update")).toHaveLength(1);
  });
});
