import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { startRedis } from "./servers.js";
import { FakeSlack } from "./slack.js";
import { type SlackBotOptions, startSlackBot } from "./slack-bot.js";

/**
 * One redis-server per file; a fresh FakeSlack and bot per test (ULEAD "alice"
 * holds lead, UDEV "bob" holds nothing). The bot stops before the fake, so the
 * socket's close handshake completes.
 */
export function slackSuite(opts: Partial<Omit<SlackBotOptions, "redisUrl" | "fake">> = {}) {
  const ctx = {} as {
    redis: Awaited<ReturnType<typeof startRedis>>;
    fake: FakeSlack;
    bot: Awaited<ReturnType<typeof startSlackBot>>;
  };
  beforeAll(async () => {
    ctx.redis = await startRedis();
  });
  afterAll(async () => {
    await ctx.redis?.stop();
  });
  beforeEach(async () => {
    ctx.fake = await FakeSlack.start();
    ctx.fake.users.set("ULEAD", "alice");
    ctx.fake.users.set("UDEV", "bob");
    ctx.bot = await startSlackBot({ redisUrl: ctx.redis.url, fake: ctx.fake, ...opts });
  });
  afterEach(async () => {
    await ctx.bot?.stop();
    await ctx.fake?.stop();
  });
  /** Replaces this test's bot with one started with other options (same fake, same redis). */
  const restart = async (more: Partial<Omit<SlackBotOptions, "redisUrl" | "fake">>) => {
    await ctx.bot.stop();
    await ctx.fake.waitFor(() => ctx.fake.openSockets === 0, "the old bot's socket to close");
    ctx.bot = await startSlackBot({ redisUrl: ctx.redis.url, fake: ctx.fake, ...opts, ...more });
  };
  return Object.assign(ctx, { restart });
}
