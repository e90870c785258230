import { Redis } from "ioredis";
import type { TestBot } from "../harness/fixtures.js";
import { expect, test } from "../harness/fixtures.js";

// The tests of this file run in order: each looks at what the one before left.
let earlier = "";
let earlierBot: TestBot | undefined;

test("gives each test a key prefix of its own and a bot on it", async ({ redis, prefix, bot }) => {
  const t = await bot();
  expect(t.prefix).toBe(prefix);
  const kv = new Redis(redis.url);
  await kv.set(`${prefix}:mine`, "1");
  await kv.set("someone-else:theirs", "1");
  await kv.quit();
  await t.adapter.say("!ping", "tester");
  await t.adapter.waitFor((m) => /^#1 done/.test(m.text));
  earlier = prefix;
  earlierBot = t;
});

test("deletes the keys under an ended test's prefix, and only those, and stops its bot", async ({
  redis,
  prefix,
}) => {
  expect(prefix).not.toBe(earlier);
  expect(earlierBot?.services.redis.status).toBe("end");
  const kv = new Redis(redis.url);
  try {
    expect(await kv.keys(`${earlier}:*`)).toEqual([]);
    expect(await kv.get("someone-else:theirs")).toBe("1");
  } finally {
    await kv.quit();
  }
});
