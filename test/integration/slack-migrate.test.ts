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
    "  - kind: announce",
    "    title: Tell everyone",
    "    text: The cut-over is done.",
    "",
  ].join("\n"),
);

describe("a manual runbook step acknowledged with Slack's button", () => {
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
      () => fake.posted().find((m) => m.thread_ts === prompt.ts && /acknowledge/i.test(m.text)),
      "the refusal in the step's thread",
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
});
