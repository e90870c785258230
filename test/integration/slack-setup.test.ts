import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { spawnBot } from "../harness/child.js";
import { capturingLogger } from "../harness/log.js";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

async function manifest(slack: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "changebot-cfg-"));
  const cfg = join(dir, "changebot.yaml");
  writeFileSync(cfg, JSON.stringify({ networks: { slack: { botToken: "xoxb-x", ...slack } } }));
  const bot = spawnBot(["slack-manifest", "--config", cfg]);
  const { code } = await bot.exited();
  rmSync(dir, { recursive: true, force: true });
  return { code, doc: parse(bot.stdout()), stderr: bot.stderr() };
}

describe("changebot slack-manifest", () => {
  it("prints a manifest with the slash command, the events, interactivity and App Home, for Socket Mode", async () => {
    const { code, doc, stderr } = await manifest({ appToken: "xapp-x", channels: ["#launchpad-dev"] });
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(doc.features.slash_commands).toEqual([expect.objectContaining({ command: "/changebot" })]);
    expect(doc.features.app_home.home_tab_enabled).toBe(true);
    expect(doc.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(["app_mention", "message.channels", "app_home_opened"]),
    );
    expect(doc.settings.interactivity.is_enabled).toBe(true);
    expect(doc.settings.socket_mode_enabled).toBe(true);
    expect(doc.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(["commands", "chat:write", "channels:write.topic", "reactions:write"]),
    );
    expect(JSON.stringify(doc)).not.toContain("request_url");
  });

  it("over HTTP, every request URL is the configured public address's /slack/events", async () => {
    const { code, doc } = await manifest({ signingSecret: "s", publicUrl: "https://bot.example.net/" });
    expect(code).toBe(0);
    const url = "https://bot.example.net/slack/events";
    expect(doc.settings.socket_mode_enabled).toBe(false);
    expect(doc.settings.event_subscriptions.request_url).toBe(url);
    expect(doc.settings.interactivity).toEqual({ is_enabled: true, request_url: url });
    expect(doc.features.slash_commands[0].url).toBe(url);
  });
});

describe("channels by name", () => {
  const logged = capturingLogger();
  const t = slackSuite({ channels: ["#launchpad-dev", "#quiet", "#nowhere", "C0IDLE"], log: logged.log });

  it("resolves names through every page of conversations.list, and says which channel lacks the bot", async () => {
    const { fake } = t;
    const filler = Array.from({ length: 450 }, (_, i) => ({
      id: `CF${i}`,
      name: `f-${i}`,
      is_member: false,
    }));
    fake.channels.push(...filler, { id: DEV, name: "launchpad-dev", is_member: true });
    fake.channels.push({ id: "C0QUIET", name: "quiet", is_member: false });
    fake.channels.push({ id: "C0IDLE", name: "idle", is_member: false });
    await t.restart({ channels: ["#launchpad-dev", "#quiet", "#nowhere", "C0IDLE"], log: logged.log });
    const pages = fake.callsTo("conversations.list");
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(t.bot.adapter.channels()).toEqual([DEV, "C0QUIET", "C0IDLE"]);
    expect(logged.text()).toContain("the bot is not a member of #idle (C0IDLE)");
    expect(logged.text()).toContain("the bot is not a member of #quiet (C0QUIET); invite it");
    expect(logged.text()).toContain("no channel #nowhere the bot can see");

    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("You are")), "the answer");
    await t.bot.bot.services.outbox.send({
      network: "slack",
      target: "#launchpad-dev",
      kind: "announce",
      text: "by name",
    });
    const sent = await fake.waitFor(() => fake.posted().find((m) => m.text.includes("by name")), "it");
    expect(sent.channel).toBe(DEV);
  });
});
