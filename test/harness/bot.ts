import { Bot, type BotOptions } from "../../src/app.js";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { parseConfig } from "../../src/config/load.js";
import type { Clock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { newPrefix, testConfig } from "./config.js";

/**
 * An in-process bot on a real Redis with a MemoryAdapter as its only network.
 * Each call gets its own key prefix, so tests sharing one redis-server never meet.
 */
export interface TestBotOptions {
  /** A redis:// URL, or a Sentinel target (test/harness/sentinel.ts). */
  redisUrl: NonNullable<BotOptions["redisUrl"]>;
  /** Extra config (merged over testConfig's). */
  config?: Record<string, unknown>;
  /** Roles for the memory network's users, e.g. { lead: ["alice"] }. Default: "tester" holds admin. */
  roles?: Record<string, string[]>;
  role?: BotOptions["role"];
  prefix?: string;
  clock?: Clock;
  adapter?: MemoryAdapter;
  adapters?: BotOptions["adapters"];
  commands?: BotOptions["commands"];
  log?: BotOptions["log"];
}

export async function startTestBot(o: TestBotOptions) {
  const adapter = o.adapter ?? new MemoryAdapter("console", 390, ["console"]);
  const prefix = o.prefix ?? newPrefix();
  const config = parseConfig(
    testConfig({
      prefix,
      channel: "console",
      roles: o.roles ?? { admin: ["tester"] },
      announce: ["console:console"],
      ...o.config,
    }),
  );
  const bot = new Bot({
    config,
    log: o.log ?? silentLogger(),
    commands: o.commands,
    role: o.role,
    redisUrl: o.redisUrl,
    clock: o.clock,
    adapters: o.adapters ?? [adapter],
  });
  await bot.start();
  return { bot, adapter, prefix, config, services: bot.services, stop: () => bot.stop(2000) };
}
