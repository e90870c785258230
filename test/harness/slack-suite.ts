import { newPrefix } from "./config.js";
import { afterEach, beforeEach, deleteKeys, type RedisServer, test } from "./fixtures.js";
import { FakeSlack } from "./slack.js";
import { type SlackBotOptions, startSlackBot } from "./slack-bot.js";

/**
 * The file's redis-server (from the fixtures); a fresh FakeSlack and bot per
 * test, on a key prefix whose keys are deleted after it (ULEAD "alice" holds
 * lead, UDEV "bob" holds nothing). The bot stops before the fake, so the
 * socket's close handshake completes.
 */
export function slackSuite(opts: Partial<Omit<SlackBotOptions, "redisUrl" | "fake">> = {}) {
  const ctx = {} as {
    redis: RedisServer;
    prefix: string;
    fake: FakeSlack;
    bot: Awaited<ReturnType<typeof startSlackBot>>;
  };
  test.beforeAll(({ redis }) => {
    ctx.redis = redis;
  });
  beforeEach(async () => {
    const prefix = newPrefix();
    ctx.prefix = prefix;
    ctx.fake = await FakeSlack.start();
    ctx.fake.users.set("ULEAD", "alice");
    ctx.fake.users.set("UDEV", "bob");
    ctx.bot = await startSlackBot({ redisUrl: ctx.redis.url, prefix, fake: ctx.fake, ...opts });
  });
  afterEach(async () => {
    await ctx.bot?.stop();
    await ctx.fake?.stop();
    await deleteKeys(ctx.redis.url, ctx.prefix);
  });
  /** Replaces this test's bot with one started with other options (same fake, same redis). */
  const restart = async (more: Partial<Omit<SlackBotOptions, "redisUrl" | "fake">>) => {
    await ctx.bot.stop();
    await ctx.fake.waitFor(() => ctx.fake.openSockets === 0, "the old bot's socket to close");
    ctx.bot = await startSlackBot({
      redisUrl: ctx.redis.url,
      prefix: ctx.prefix,
      fake: ctx.fake,
      ...opts,
      ...more,
    });
  };
  return Object.assign(ctx, { restart });
}
