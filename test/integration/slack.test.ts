import { describe, expect, it } from "vitest";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

describe("Slack over Socket Mode (real Bolt, fake Slack)", () => {
  const t = slackSuite();

  it("!rc-mode on: an ack, the result in its thread, and the topic", async () => {
    const { fake } = t;
    // Slack sends "<" as "&lt;"; the reason must come back escaped, never as a link or a mention.
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!rc-mode on db deploy &lt;soon&gt; &amp; co")));
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
    const announced = await fake.waitFor(
      () => fake.posted().find((m) => m.text.includes("PQM is in RC mode")),
      "the announcement",
    );
    expect(announced.text).toContain("alice: db deploy &lt;soon&gt; &amp; co");
  });

  it("answers DMs and mentions without the prefix, ignores bots and other channels", async () => {
    const { fake } = t;
    await fake.deliver(eventBody(userMessage("D0BOB", "UDEV", "whoami", { channel_type: "im" })));
    const dm = await fake.waitFor(() => fake.posted().find((m) => m.channel === "D0BOB"), "the DM answer");
    expect(dm.text).toBe("You are slack:UDEV (bob); roles: none.");
    // Not listened to without a mention; a bot's (or the bot's own) line is never a command.
    await fake.deliver(eventBody(userMessage("C0OTHER", "UDEV", "!whoami")));
    await fake.deliver(eventBody(userMessage(DEV, "UOTHERBOT", "!whoami", { bot_id: "B2" })));
    await fake.deliver(eventBody(userMessage(DEV, "UBOT", "!whoami", { bot_id: "BBOT" })));
    const mention = userMessage("C0OTHER", "ULEAD", "<@UBOT> whoami", { type: "app_mention" });
    await fake.deliver(eventBody(mention));
    const answer = await fake.waitFor(
      () => fake.posted().find((m) => m.channel === "C0OTHER"),
      "the answer to the mention",
    );
    expect(answer.text).toBe("You are slack:ULEAD (alice); roles: lead.");
    // In a thread, the answer stays in that thread.
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami", { thread_ts: "1699999999.000001" })));
    const threaded = await fake.waitFor(
      () => fake.posted().find((m) => m.thread_ts === "1699999999.000001"),
      "the threaded answer",
    );
    expect(threaded.text).toContain("slack:UDEV");
    expect(fake.posted().map((m) => m.channel)).toEqual(["D0BOB", "C0OTHER", DEV]);
  });

  it("short output in a code block, long output as a file, progress edits one message", async () => {
    const { fake, bot } = t;
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!help")));
    const help = await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("Commands")), "help");
    expect(help.text.split("\n").length).toBeGreaterThan(3);
    expect(help.text).not.toContain("```");

    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!ping")));
    await fake.waitFor(() => fake.posted().find((m) => /#\d+ done/.test(m.text)), "the ping's result");
    const [job] = await bot.bot.services.jobs.recent(1);
    await bot.bot.services.jobs.appendLog(job!.id, "sent 12 files <fast>\ntotal 3 MB\n");
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", `!job ${job!.id}`)));
    const one = await fake.waitFor(() => fake.posted().find((m) => m.text.includes("pong\n")), "!job");
    expect(one.text).toMatch(
      /^#\d+ done: ping — bob, .*\nresult: pong\n```\nsent 12 files &lt;fast&gt;\ntotal 3 MB\n```$/,
    );
    const lines = Array.from({ length: 120 }, (_, i) => `rsync: line ${i + 1} <ok>`);
    await bot.bot.services.jobs.appendLog(job!.id, `${lines.join("\n")}\n`);
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", `!job log ${job!.id}`)));
    const head = await fake.waitFor(() => fake.posted().find((m) => m.text.includes("log:")), "the log");
    expect(head.text).toBe(`#${job!.id} log: (122 lines, attached)`);
    const done = await fake.waitForCall("files.completeUploadExternal");
    expect(done.args.channel_id).toBe(DEV);
    const content = await fake.waitFor(() => [...fake.uploads.values()][0], "the uploaded file");
    expect(content).toContain("rsync: line 120 <ok>");

    const outbox = bot.bot.services.outbox;
    const progress = { network: "slack", target: DEV, kind: "progress" as const, ref: "p1" };
    await outbox.send({ ...progress, text: "rsync pass 1 of 3" });
    await outbox.send({ ...progress, text: "rsync pass 2 of 3", replaces: "p1" });
    await outbox.send({ ...progress, text: "rsync pass 3 of 3", replaces: "p1" });
    const edit = await fake.waitForCall("chat.update", (a) => a.text === "rsync pass 3 of 3");
    const first = fake.posted().find((m) => m.text.startsWith("rsync pass"));
    expect(edit.args.ts).toBe(first!.ts);
    expect(first!.text).toBe("rsync pass 3 of 3");
    expect(fake.posted().filter((m) => m.text.startsWith("rsync pass"))).toHaveLength(1);

    // A step's "still running" lines (no explicit edit) also edit one message in the job's thread,
    // until the step's result is said there; the next step's progress starts a new message.
    const step = { network: "slack", target: DEV, kind: "progress" as const, threadId: "1690000000.999999" };
    await outbox.send({ ...step, text: "#9 still running on db1 (30s)" });
    await outbox.send({ ...step, text: "#9 still running on db1 (1m)" });
    await outbox.send({ ...step, kind: "reply", text: "#9 done (1m10s): exit 0" });
    await outbox.send({ ...step, text: "#9 still running on db2 (30s)" });
    await fake.waitFor(() => fake.posted().find((m) => m.text.includes("db2")), "the next step's progress");
    const inThread = fake.posted().filter((m) => m.thread_ts === step.threadId);
    expect(inThread.map((m) => m.text)).toEqual([
      "#9 still running on db1 (1m)",
      "#9 done (1m10s): exit 0",
      "#9 still running on db2 (30s)",
    ]);
  });

  it("keeps the topic to 250 characters (not bytes), and says why when Slack refuses it", async () => {
    const { fake } = t;
    const accents = "é".repeat(240);
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", `!topic add ${accents}`)));
    await fake.waitForCall("conversations.setTopic", (a) => a.topic === accents);
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!rc-mode on")));
    const fitted = await fake.waitForCall("conversations.setTopic", (a) => String(a.topic).includes("PQM"));
    const topic = String(fitted.args.topic);
    expect([...topic].length).toBeLessThanOrEqual(250);
    expect([...topic].length).toBeGreaterThan(200);
    expect(topic).toMatch(/^PQM in RC mode \| é+…$/);
    await fake.waitFor(
      () => fake.posted().find((m) => m.text.includes("limited to 250 characters")),
      "the note about what was shortened",
    );

    fake.failNext("conversations.setTopic", { error: "not_in_channel" });
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!rc-mode off")));
    const refusal = await fake.waitFor(
      () => fake.posted().find((m) => m.text.includes("I can't set the topic")),
      "the refusal",
    );
    expect(refusal.text).toContain("I am not a member");
  });

  it("a command's real output comes back in its thread as an escaped code block", async () => {
    const { fake } = t;
    await t.restart({
      roles: { engineer: ["ULEAD"] },
      config: {
        lpndt: {
          host: "local",
          services: ["cron-fdt"],
          command: ["/bin/sh", "-c", 'echo "Stopping $2"; echo "$2 stopped <ok> & done"', "lpndt"],
        },
      },
    });
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", "!lpndt service-stop cron-fdt")));
    const ack = await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("queued #")), "the ack");
    const result = await fake.waitFor(
      () => fake.posted().find((m) => m.thread_ts === ack.ts && /done/.test(m.text)),
      "the result in the thread",
    );
    expect(result.text).toMatch(
      /^#\d+ done \([^)]+\): .*service-stop cron-fdt.*exit 0.*\n```\nStopping cron-fdt\ncron-fdt stopped &lt;ok&gt; &amp; done\n```$/,
    );
  });
});
