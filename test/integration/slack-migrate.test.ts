import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

const dir = mkdtempSync(join(tmpdir(), "changebot-runbooks-"));
writeFileSync(
  join(dir, "cutover.yaml"),
  [
    "id: cutover",
    "title: Cut the load balancer over to the new backend",
    "steps:",
    "  - kind: manual",
    "    id: lb",
    "    title: Switch the load balancer",
    "    role: losa",
    "    instructions: Point haproxy at <b2> & reload it.",
    "  - kind: local",
    "    id: drop-old",
    "    title: Drop the old backend's database",
    "    irreversible: true",
    '    argv: ["/bin/echo", "dropped"]',
    "  - kind: announce",
    "    title: Tell everyone",
    "    text: The cut-over is done.",
    "",
  ].join("\n"),
);

writeFileSync(
  join(dir, "prep.yaml"),
  [
    "id: prep",
    "title: Prepare, then hand over",
    "steps:",
    "  - kind: local",
    "    title: Prepare the new backend",
    '    argv: ["/bin/echo", "prepared"]',
    "  - kind: manual",
    "    title: Look at the new backend",
    "    role: losa",
    "    instructions: Open the new backend's page.",
    "",
  ].join("\n"),
);

describe("runbook steps acknowledged and confirmed with Slack's buttons", () => {
  const t = slackSuite({ roles: { lead: ["ULEAD"], losa: ["UOPS"] }, config: { runbooks: dir } });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a losa's click acknowledges it and closes the buttons; anyone else's is refused and changes nothing", async () => {
    const { fake } = t;
    fake.users.set("UOPS", "olga");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate start cutover")));
    await fake.waitFor(() => fake.posted().find((m) => /started/.test(m.text)), "the run to start");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate next")));
    const prompt = await fake.waitFor(
      () => fake.posted().find((m) => m.blocks?.some((b) => b.type === "actions")),
      "the manual step with its button",
    );
    expect(prompt.text).toContain("Point haproxy at &lt;b2&gt; &amp; reload it.");
    const button = prompt.blocks!.find((b) => b.type === "actions")!.elements![0]!;
    expect(button).toMatchObject({ value: "!migrate ack", text: { text: "Acknowledge" } });

    await fake.click(prompt.ts, "UDEV", 0, "1700000400.000001");
    const refusal = await fake.waitFor(
      () => fake.ephemerals.find((m) => m.thread_ts === prompt.ts && /acknowledge/i.test(m.text)),
      "the private refusal in the step's thread",
    );
    expect(refusal.text).toMatch(/^:warning: Only losa \(held by slack:UOPS\)/);
    expect(fake.callsTo("chat.update")).toHaveLength(0);

    await fake.click(prompt.ts, "UOPS", 0, "1700000500.000001");
    await fake.waitFor(
      () => fake.posted().find((m) => m.thread_ts === prompt.ts && /acknowledged by olga/.test(m.text)),
      "the acknowledgement",
    );
    const edit = await fake.waitForCall("chat.update", (a) => a.ts === prompt.ts);
    expect(String(edit.args.text)).toContain("Acknowledge by <@UOPS>");
    const after = fake.messages.get(prompt.ts)!;
    expect(after.blocks?.some((b) => b.type === "actions")).toBe(false);
    expect(fake.callsTo("chat.update")).toHaveLength(1);
  });

  it("a manual step reached after an automated one (here by !migrate run) comes with its button", async () => {
    const { fake } = t;
    fake.users.set("UOPS", "olga");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate start prep")));
    await fake.waitFor(
      () => fake.posted().find((m) => /prep\W* run #\d+ started/.test(m.text)),
      "the run to start",
    );
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate run")));
    const result = await fake.waitFor(
      () => fake.posted().find((m) => m.text.includes("Open the new backend's page.") && m.blocks),
      "the step's result, ending at the manual step",
    );
    expect(result.text).toMatch(/#\d+ done/);
    expect(result.blocks!.find((b) => b.type === "actions")!.elements![0]!).toMatchObject({
      value: "!migrate ack",
      text: { text: "Acknowledge" },
    });
    await fake.click(result.ts, "UOPS", 0, "1700000450.000001");
    await fake.waitFor(
      () => fake.posted().find((m) => /acknowledged by olga/.test(m.text)),
      "the acknowledgement",
    );
  });

  it("an irreversible step runs only after someone else clicks Confirm", async () => {
    const { fake } = t;
    fake.users.set("UOPS", "olga");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate start cutover")));
    await fake.waitFor(() => fake.posted().find((m) => /started/.test(m.text)), "the run to start");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate next")));
    const ack = await fake.waitFor(() => fake.posted().find((m) => m.blocks), "the manual step");
    await fake.click(ack.ts, "UOPS", 0, "1700000600.000001");
    await fake.waitForCall("chat.update", (a) => a.ts === ack.ts);
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate next")));
    const ask = await fake.waitFor(
      () => fake.posted().find((m) => m.ts !== ack.ts && m.blocks?.some((b) => b.type === "actions")),
      "the confirmation with its button",
    );
    expect(ask.text).toContain("IRREVERSIBLE");
    expect(ask.blocks!.find((b) => b.type === "actions")!.elements![0]!).toMatchObject({
      value: "!migrate confirm",
      text: { text: "Confirm" },
    });
    // The person who asked for it cannot confirm it (two-person rule).
    await fake.click(ask.ts, "ULEAD", 0, "1700000700.000001");
    await fake.waitFor(
      () => fake.ephemerals.find((m) => m.thread_ts === ask.ts && /two-person rule/.test(m.text)),
      "the two-person refusal",
    );
    expect(fake.callsTo("chat.update").filter((c) => c.args.ts === ask.ts)).toHaveLength(0);
    await fake.click(ask.ts, "UOPS", 0, "1700000800.000001");
    const done = await fake.waitFor(
      () => fake.posted().find((m) => /#\d+ done/.test(m.text) && m.text.includes("dropped")),
      "the step's result",
    );
    expect(done.text).toContain("```\ndropped\n```");
    const edit = await fake.waitForCall("chat.update", (a) => a.ts === ask.ts);
    expect(String(edit.args.text)).toContain("Confirm by <@UOPS>");
  });
});
