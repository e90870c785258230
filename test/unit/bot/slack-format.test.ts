import { describe, expect, it } from "vitest";
import { createAdapters } from "../../../src/bot/adapters.js";
import { SlackAdapter } from "../../../src/bot/slack/adapter.js";
import { escapeMrkdwn, renderText, unescapeSlack } from "../../../src/bot/slack/format.js";
import { toInbound } from "../../../src/bot/slack/inbound.js";
import { parseConfig } from "../../../src/config/load.js";
import { silentLogger } from "../../../src/core/log.js";

const ctx = {
  network: "slack",
  botUserId: "UBOT",
  teamId: "T1",
  channels: ["C1"],
  display: (id: string) => (id === "U1" ? "alice" : id),
};

describe("Slack text", () => {
  it("escapes what the bot says, so quoted user text is never a mention or a link", () => {
    expect(escapeMrkdwn("<!channel> a & <@U1> b>")).toBe("&lt;!channel&gt; a &amp; &lt;@U1&gt; b&gt;");
    expect(renderText({ kind: "reply", text: "a <b>" }).text).toBe("a &lt;b&gt;");
  });

  it("reads what Slack sends as the user typed it", () => {
    expect(
      unescapeSlack("!announce &lt;b&gt; &amp; <https://status.example.org/x|status.example.org/x>"),
    ).toBe("!announce <b> & https://status.example.org/x");
    expect(unescapeSlack("ask <@U123|alice> in <#C9|ops>, <!here>")).toBe("ask @U123 in #C9, @here");
  });

  it("prose stays prose; the lines marked as output are a code block, or a file when long", () => {
    const text = "#4 FAILED: exit 1\nstep 2/3 failed. !migrate retry\nerr: `x` <y>";
    const short = renderText({ kind: "alarm", text, outputLines: 1 });
    expect(short.text).toBe(
      ":warning: #4 FAILED: exit 1\nstep 2/3 failed. !migrate retry\n```\nerr: `x` &lt;y&gt;\n```",
    );
    expect(renderText({ kind: "reply", text: "Commands:\n!help — a <b>" }).text).toBe(
      "Commands:\n!help — a &lt;b&gt;",
    );
    const long = renderText({ kind: "reply", text: `#7 log:\n${"line\n".repeat(100)}`, outputLines: 100 });
    expect(long.text).toBe("#7 log: (100 lines, attached)");
    expect(long.file?.filename).toBe("job-7.txt");
    expect(long.file?.content.split("\n")).toHaveLength(101);
    const edited = renderText(
      { kind: "progress", text: `#7 running\n${"x\n".repeat(100)}`, outputLines: 100 },
      { attach: false },
    );
    expect(edited.file).toBeUndefined();
    expect(edited.text).toContain("… 60 earlier lines");
    const huge = renderText({ kind: "reply", text: "x".repeat(50_000) });
    expect(huge.text.length).toBeLessThan(40_000);
    expect(huge.text.endsWith("… (cut: too long for Slack)")).toBe(true);
  });
});

describe("Slack events", () => {
  it("identifies the sender by user id and workspace, and addresses DMs and leading mentions", () => {
    const m = toInbound({ type: "message", channel: "C1", user: "U1", text: "!whoami", ts: "1.2" }, ctx);
    expect(m).toMatchObject({ id: "C1:1.2", addressed: false, fromBot: false, text: "!whoami" });
    expect(m?.user).toEqual({ network: "slack", id: "U1", display: "alice", account: "T1:U1" });
    const dm = toInbound(
      { type: "message", channel: "D1", channel_type: "im", user: "U1", text: "help", ts: "1" },
      ctx,
    );
    expect(dm?.addressed).toBe(true);
    const at = toInbound(
      { type: "app_mention", channel: "C7", user: "U1", text: "<@UBOT>: rc-mode", ts: "2" },
      ctx,
    );
    expect(at).toMatchObject({ addressed: true, text: "rc-mode", id: "C7:2" });
  });

  it("ignores other channels, edits and joins; marks bots", () => {
    expect(
      toInbound({ type: "message", channel: "C2", user: "U1", text: "!help", ts: "1" }, ctx),
    ).toBeUndefined();
    const edit = { type: "message", subtype: "message_changed", channel: "C1", ts: "1" };
    expect(toInbound(edit, ctx)).toBeUndefined();
    const bot = toInbound({ type: "message", channel: "C1", bot_id: "B1", text: "!help", ts: "1" }, ctx);
    expect(bot?.fromBot).toBe(true);
  });
});

describe("Slack config", () => {
  it("needs an app token or a signing secret, and is created from networks.slack", async () => {
    expect(() => parseConfig({ networks: { slack: { botToken: "xoxb-1" } } })).toThrow(
      /networks\.slack\.appToken.*appToken \(Socket Mode\) or signingSecret/,
    );
    expect(() =>
      parseConfig({ networks: { slack: { botToken: "x", appToken: "y", channels: ["launchpad-dev"] } } }),
    ).toThrow(
      "config networks.slack.channels[0]: expected a channel id like C0123456 or a name like #launchpad-dev",
    );
    const config = parseConfig({
      networks: { slack: { botToken: "xoxb-1", appToken: "xapp-1", channels: ["C0LEADS"] } },
    });
    const [a] = await createAdapters(config, silentLogger());
    expect(a).toBeInstanceOf(SlackAdapter);
    expect(a!.topicMaxLength).toBe(250);
    expect(a!.measureTopic!("é".repeat(250))).toBe(250);
    expect(a!.channels()).toEqual(["C0LEADS"]);
  });
});
