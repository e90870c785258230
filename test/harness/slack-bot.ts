import { Bot } from "../../src/app.js";
import { SlackAdapter } from "../../src/bot/slack/adapter.js";
import { parseConfig } from "../../src/config/load.js";
import { type Logger, silentLogger } from "../../src/core/log.js";
import { testConfig } from "./config.js";
import type { FakeSlack } from "./slack.js";
import { APP_TOKEN, BOT_TOKEN } from "./slack-api.js";

export const DEV = "C0DEV";
export const SIGNING_SECRET = "fake-signing-secret";

export interface SlackBotOptions {
  redisUrl: string;
  /** Key prefix; default a fresh one. */
  prefix?: string;
  fake: FakeSlack;
  /** Socket Mode (default) or the HTTP Events API. */
  mode?: "socket" | "http";
  /** Role → Slack user ids. Default: ULEAD is a lead. */
  roles?: Record<string, string[]>;
  config?: Record<string, unknown>;
  /** Slack's channels setting (default [DEV]). */
  channels?: string[];
  log?: Logger;
  /** App Home's refresh period and per-person publish interval (fast by default, for tests). */
  homeRefreshMs?: number;
  homeMinIntervalMs?: number;
}

/** The real bot with the real Slack adapter (Bolt) talking to a FakeSlack, on its own key prefix. */
export async function startSlackBot(o: SlackBotOptions) {
  const mode = o.mode ?? "socket";
  const slack = {
    botToken: BOT_TOKEN,
    ...(mode === "socket"
      ? { appToken: APP_TOKEN }
      : { signingSecret: SIGNING_SECRET, port: 0, host: "127.0.0.1" }),
    channels: o.channels ?? [DEV],
    apiUrl: o.fake.apiUrl,
  };
  const roles = Object.fromEntries(
    Object.entries(o.roles ?? { lead: ["ULEAD"] }).map(([r, ids]) => [r, ids.map((id) => `slack:${id}`)]),
  );
  const config = parseConfig(
    testConfig({ prefix: o.prefix, networks: { slack }, roles, announce: [`slack:${DEV}`], ...o.config }),
  );
  const log = o.log ?? silentLogger();
  const adapter = new SlackAdapter({
    config: config.networks.slack!,
    log,
    reconnectMs: 200,
    homeRefreshMs: o.homeRefreshMs ?? 200,
    homeMinIntervalMs: o.homeMinIntervalMs ?? 0,
  });
  const bot = new Bot({ config, log, redisUrl: o.redisUrl, adapters: [adapter] });
  await bot.start();
  if (mode === "socket") await o.fake.waitForSocket();
  return {
    bot,
    adapter,
    config,
    eventsUrl: () => `http://127.0.0.1:${adapter.port}/slack/events`,
    stop: () => bot.stop(2000),
  };
}
