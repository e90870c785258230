import { describe, expect, it } from "vitest";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

describe("Slack buttons run their command as the person who clicks", () => {
  const t = slackSuite();

  it("a lead's click runs the command and closes the buttons; a non-lead's changes nothing", async () => {
    const { fake, bot } = t;
    await bot.bot.services.outbox.send({
      network: "slack",
      target: DEV,
      kind: "reply",
      text: "Release freeze starts now: put PQM in RC mode?",
      actions: [{ label: "RC mode on", command: "!rc-mode on freeze", style: "primary" }],
    });
    const asked = await fake.waitFor(
      () => fake.posted().find((m) => m.blocks?.some((b) => b.type === "actions")),
      "the message with a button",
    );
    const button = asked.blocks!.find((b) => b.type === "actions")!.elements![0]!;
    expect(button.text.text).toBe("RC mode on");

    await fake.click(asked.ts, "UDEV", 0, "1700000100.000001");
    const refusal = await fake.waitFor(
      () => fake.ephemerals.find((m) => m.thread_ts === asked.ts && /needs the role lead/.test(m.text)),
      "the private refusal in the message's thread",
    );
    expect(refusal.text).toContain("slack:UDEV");
    expect(fake.topics.get(DEV)).toBeUndefined();

    const click = await fake.click(asked.ts, "ULEAD", 0, "1700000200.000001");
    const edit = await fake.waitForCall("chat.update", (a) => a.ts === asked.ts);
    const queued = await fake.waitFor(
      () => fake.posted().find((m) => m.thread_ts === asked.ts && /^queued #\d+: rc-mode on/.test(m.text)),
      "the command's ack in the thread",
    );
    expect(queued).toBeDefined();
    await fake.waitForCall("conversations.setTopic", (a) => String(a.topic).includes("PQM in RC mode"));
    const after = fake.messages.get(asked.ts)!;
    expect(after.blocks?.some((b) => b.type === "actions")).toBe(false);
    expect(JSON.stringify(after.blocks)).toContain("RC mode on by <@ULEAD>");
    expect(String(edit.args.text)).toContain("Release freeze starts now");
    // Only the lead's click edited the message.
    expect(fake.callsTo("chat.update")).toHaveLength(1);

    // The same click delivered again runs nothing more.
    await fake.interactive(click);
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!jobs")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("#1 ")), "the !jobs answer");
    expect(fake.posted().filter((m) => m.text.startsWith("queued #"))).toHaveLength(1);
    expect(fake.callsTo("chat.update")).toHaveLength(1);
  });
});
