import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

const dir = mkdtempSync(join(tmpdir(), "changebot-runbooks-"));
writeFileSync(
  join(dir, "drain.yaml"),
  [
    "id: drain",
    "title: Drain the old node",
    "steps:",
    "  - kind: manual",
    "    title: Drain <node-1>",
    "    role: losa",
    "    instructions: |",
    "      Cordon the node.",
    "      Wait for the pods to move.",
    "  - kind: local",
    "    title: Say so",
    '    argv: ["/bin/echo", "drained"]',
    "",
  ].join("\n"),
);

describe("a run's messages on Slack, rendered from its events", () => {
  const t = slackSuite({ roles: { lead: ["ULEAD"], losa: ["UOPS"] }, config: { runbooks: dir } });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shows the plan as code, the manual step bold with its instructions quoted, and the step's end with an emoji", async () => {
    const { fake } = t;
    fake.users.set("UOPS", "olga");
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate start drain")));
    const started = await fake.waitFor(() => fake.posted().find((m) => /started/.test(m.text)), "the plan");
    expect(started.text).toContain(":rocket: *drain* run #1 started by alice");
    expect(started.text).toContain(
      "```\n 1. Drain &lt;node-1&gt; [manual: losa acks]\n 2. Say so [local]\n```",
    );
    expect(started.text).toContain(
      'Next: *step 1/2 "Drain &lt;node-1&gt;"* (manual, acknowledged by losa) — `!migrate next`',
    );

    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate next")));
    const prompt = await fake.waitFor(
      () => fake.posted().find((m) => m.blocks?.some((b) => b.type === "actions")),
      "the manual step with its button",
    );
    expect(prompt.text).toBe(
      ':raising_hand: *step 1/2 "Drain &lt;node-1&gt;"* — manual, for losa:\n>Cordon the node.\n>Wait for the pods to move.\nWhen it is done, `!migrate ack [note]` by losa (held by slack:UOPS).',
    );
    const section = prompt.blocks!.find((b) => b.type === "section") as {
      text?: { type: string; text: string };
    };
    expect(section.text).toEqual({ type: "mrkdwn", text: prompt.text });
    expect(prompt.blocks!.find((b) => b.type === "actions")!.elements![0]!).toMatchObject({
      value: "!migrate ack",
      text: { text: "Acknowledge" },
    });

    await fake.deliver(eventBody(userMessage(DEV, "UOPS", "!migrate ack moved")));
    const acked = await fake.waitFor(
      () => fake.posted().find((m) => /acknowledged by olga/.test(m.text)),
      "the acknowledgement",
    );
    expect(acked.text).toMatch(
      /^:white_check_mark: \*step 1\/2 "Drain &lt;node-1&gt;"\* acknowledged by olga: moved\. Next: \*step 2\/2 "Say so"\*/,
    );

    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!migrate next")));
    const done = await fake.waitFor(
      () => fake.posted().find((m) => /#\d+ done/.test(m.text) && m.text.includes("drained")),
      "the step's result",
    );
    // The job's own line stays as it was; what the run says after it is mrkdwn; the output a code block.
    expect(done.text).toMatch(/^#\d+ done \([^)]*\): exit 0/);
    expect(done.text).toMatch(
      /\n:white_check_mark: \*step 2\/2 "Say so"\* done \(#\d+\)\. :checkered_flag: All 2 steps are done: \*drain\* run #1 finished\. See `!migrate log`\./,
    );
    expect(done.text).toContain("```\ndrained\n```");
  });
});
