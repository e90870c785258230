import { describe, expect, it } from "vitest";
import { DEV, SIGNING_SECRET } from "../harness/slack-bot.js";
import { eventBody, postEvent, slashPayload, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

describe("/changebot over Socket Mode", () => {
  const t = slackSuite();

  it("a lead's /changebot rc-mode on sets the topic once, its ack and result in the channel; a redelivery runs nothing", async () => {
    const { fake, bot } = t;
    const p = slashPayload(DEV, "ULEAD", "rc-mode on testing");
    await fake.slash(p);
    const ack = await fake.waitFor(
      () => fake.posted().find((m) => /^queued #\d+: rc-mode on/.test(m.text)),
      "the ack in the channel",
    );
    expect(ack.channel).toBe(DEV);
    await fake.waitFor(
      () => fake.posted().find((m) => m.thread_ts === ack.ts && /done/.test(m.text)),
      "the result in the ack's thread",
    );
    const topic = await fake.waitForCall("conversations.setTopic");
    expect(String(topic.args.topic)).toContain("PQM in RC mode");
    // Slack redelivers the envelope it thinks was lost: the same trigger_id.
    await fake.slash(p);
    await fake.slash(slashPayload(DEV, "ULEAD", "rc-mode"));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("RC mode is ON")), "the status");
    expect(fake.callsTo("conversations.setTopic")).toHaveLength(1);
    expect(await bot.bot.services.jobs.recent(10)).toHaveLength(1);
  });

  it("a user without the role is refused privately and nothing is run; help and whoami answer privately", async () => {
    const { fake } = t;
    await fake.slash(slashPayload(DEV, "UDEV", "rc-mode on testing"));
    const refusal = await fake.waitFor(
      () => fake.ephemerals.find((m) => /needs the role lead/.test(m.text)),
      "the private refusal",
    );
    expect(refusal).toMatchObject({ channel: DEV, user: "UDEV" });
    await fake.slash(slashPayload(DEV, "UDEV", "whoami"));
    await fake.slash(slashPayload(DEV, "UDEV", ""));
    await fake.waitFor(() => fake.ephemerals.find((m) => m.text.startsWith("You are slack:UDEV")), "whoami");
    await fake.waitFor(() => fake.ephemerals.find((m) => m.text.startsWith("Commands you may run")), "help");
    // A typed command's refusal is private too; its other answers stay in the channel.
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!rc-mode off")));
    await fake.waitFor(
      () => fake.ephemerals.find((m) => m.text.includes("!rc-mode off needs the role")),
      "the typed command's private refusal",
    );
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("You are")), "the typed whoami");
    expect(fake.posted().map((m) => m.text)).toEqual(["You are slack:UDEV (bob); roles: none."]);
    expect(fake.callsTo("conversations.setTopic")).toHaveLength(0);
  });
});

describe("/changebot over the HTTP receiver", () => {
  const t = slackSuite({ mode: "http" });

  it("a signed slash command runs once through the same router; a forged one gets 401", async () => {
    const { fake, bot } = t;
    const p = slashPayload(DEV, "ULEAD", "rc-mode on testing");
    expect((await postEvent(bot.eventsUrl(), p, { secret: "nope", fields: true })).status).toBe(401);
    expect((await postEvent(bot.eventsUrl(), p, { secret: SIGNING_SECRET, fields: true })).status).toBe(200);
    expect((await postEvent(bot.eventsUrl(), p, { secret: SIGNING_SECRET, fields: true })).status).toBe(200);
    await fake.waitForCall("conversations.setTopic");
    await fake.waitFor(() => fake.posted().find((m) => /done/.test(m.text)), "the result");
    const refused = slashPayload(DEV, "UDEV", "rc-mode off");
    await postEvent(bot.eventsUrl(), refused, { secret: SIGNING_SECRET, fields: true });
    await fake.waitFor(() => fake.ephemerals.find((m) => m.user === "UDEV"), "the private refusal");
    expect(fake.callsTo("conversations.setTopic")).toHaveLength(1);
    expect(fake.posted().filter((m) => m.text.startsWith("queued #"))).toHaveLength(1);
  });
});
