import { describe, expect, it } from "vitest";
import { SlackAdapter } from "../../src/bot/slack/adapter.js";
import { silentLogger } from "../../src/core/log.js";
import { APP_TOKEN, BOT_TOKEN } from "../harness/slack-api.js";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

describe("Slack reliability", () => {
  const t = slackSuite();

  it("the same event delivered three times runs once", async () => {
    const { fake, bot } = t;
    const body = eventBody(userMessage(DEV, "UDEV", "!ping"));
    await fake.deliver(body);
    await fake.deliver(body, 1);
    await fake.deliver(body, 2);
    // A mention arrives as a message and as an app_mention with its own event id: one command.
    const line = userMessage(DEV, "UDEV", "<@UBOT> ping");
    await fake.deliver(eventBody(line));
    await fake.deliver(eventBody({ ...line, type: "app_mention" }));
    await fake.waitFor(
      () => fake.posted().filter((m) => /#\d+ done/.test(m.text)).length >= 2,
      "two results",
    );
    // Something later, answered after everything before it was handled.
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!rc-mode")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("RC mode is off")), "the status");
    expect(fake.posted().filter((m) => m.text.startsWith("queued #"))).toHaveLength(2);
    expect(await bot.bot.services.jobs.recent(10)).toHaveLength(2);
  });

  it("a 429 with Retry-After: 1 on chat.postMessage delays, then delivers, once", async () => {
    const { fake } = t;
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!rc-mode")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("RC mode is off")), "the status");
    const [limited, delivered] = fake.callsTo("chat.postMessage");
    expect(delivered!.at - limited!.at).toBeGreaterThanOrEqual(990);
    expect(fake.callsTo("chat.postMessage")).toHaveLength(2);
    expect(fake.posted()).toHaveLength(1);
  });

  it("a dropped socket reconnects, puts back the topic segment Slack lost, and answers again", async () => {
    const { fake } = t;
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!rc-mode on")));
    await fake.waitForCall("conversations.setTopic");
    // Someone replaced the topic while the bot was away.
    fake.topics.set(DEV, "lunch at noon");
    const before = fake.callsTo("conversations.setTopic").length;
    fake.dropSockets();
    await fake.waitForSocket(2);
    expect(fake.callsTo("apps.connections.open")).toHaveLength(2);
    await fake.waitFor(() => fake.callsTo("conversations.setTopic").length > before, "the topic restored");
    expect(fake.topics.get(DEV)).toBe("PQM in RC mode | lunch at noon");
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    const answer = await fake.waitFor(
      () => fake.posted().find((m) => m.text.startsWith("You are")),
      "the answer",
    );
    expect(answer.text).toContain("slack:UDEV");
  });

  it("reconnects when Slack asks it to refresh its socket", async () => {
    const { fake } = t;
    fake.refreshSockets();
    await fake.waitForSocket(2);
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("You are")), "the answer");
  });

  it("a refusal that retrying cannot change is logged and does not hold up later messages", async () => {
    const { fake } = t;
    fake.failNext("chat.postMessage", { error: "not_in_channel" });
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!rc-mode")));
    await fake.waitFor(
      () => fake.posted().find((m) => m.text.startsWith("RC mode is off")),
      "the next answer",
    );
    expect(fake.callsTo("chat.postMessage")).toHaveLength(2);
  });

  it("a token Slack refuses stops the start with one line naming the config", async () => {
    const adapter = new SlackAdapter({
      config: { botToken: "xoxb-revoked", appToken: APP_TOKEN, apiUrl: t.fake.apiUrl, channels: [], port: 0 },
      log: silentLogger(),
    });
    await expect(adapter.start()).rejects.toThrow(
      "Slack refused networks.slack.botToken (invalid_auth); check the token",
    );
    const badApp = new SlackAdapter({
      config: { botToken: BOT_TOKEN, appToken: "xapp-revoked", apiUrl: t.fake.apiUrl, channels: [], port: 0 },
      log: silentLogger(),
    });
    await expect(badApp.start()).rejects.toThrow(
      "Slack refused networks.slack.appToken (invalid_auth); check the token",
    );
  });
});
