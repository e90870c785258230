import { Bot } from "../../src/app.js";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/core/log.js";
import { testConfig } from "../harness/config.js";
import { afterAll, describe, expect, test } from "../harness/fixtures.js";
import { IrcUser } from "../harness/irc.js";
import { FakeSlack } from "../harness/slack.js";
import { APP_TOKEN, BOT_TOKEN } from "../harness/slack-api.js";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";

/** One changebot process serving IRC (a real ngircd) and Slack (the real Bolt App on a fake Slack) at once. */
describe("one process on IRC and Slack", () => {
  let fake: FakeSlack;
  let bot: Bot;
  let alice: IrcUser;
  // One bot for the file's tests, on the file's redis-server and ngircd.
  test.beforeAll(async ({ redis, ngircd: ircd }) => {
    fake = await FakeSlack.start();
    fake.users.set("ULEAD", "lena");
    fake.users.set("UDEV", "dev");
    alice = await new IrcUser("alice").connect(ircd.port);
    await alice.join("#ops");
    const config = parseConfig(
      testConfig({
        networks: {
          irc: {
            host: "127.0.0.1",
            port: ircd.port,
            tls: false,
            channels: ["#ops"],
            burst: 10,
            linesPerSecond: 20,
          },
          slack: { botToken: BOT_TOKEN, appToken: APP_TOKEN, channels: [DEV], apiUrl: fake.apiUrl },
        },
        roles: { lead: ["slack:ULEAD"] },
        announce: ["irc:#ops", `slack:${DEV}`],
      }),
    );
    // The adapters come from the config, as in production.
    bot = await new Bot({ config, log: silentLogger(), redisUrl: redis.url }).start();
    const joined = AbortSignal.timeout(15_000);
    await Promise.all([...bot.adapters.map((a) => a.waitConnected(joined)), fake.waitForSocket()]);
  });
  afterAll(async () => {
    alice?.quit();
    await bot?.stop(2000);
    await fake?.stop();
  });

  test("serves both networks from one process", () => {
    expect(bot.adapters.map((a) => a.network).sort()).toEqual(["irc", "slack"]);
  });

  test("a command typed in each network is answered in that network", async () => {
    alice.say("#ops", "!whoami");
    const onIrc = await alice.waitForLine("changebot", /^You are irc:/);
    expect(onIrc.target).toBe("#ops");
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!whoami")));
    const onSlack = await fake.waitFor(
      () => fake.posted().find((m) => m.text.startsWith("You are")),
      "Slack's answer",
    );
    expect(onSlack).toMatchObject({ channel: DEV, text: "You are slack:UDEV (dev); roles: none." });
    // Neither answer crossed over.
    expect(fake.posted().filter((m) => m.text.startsWith("You are"))).toHaveLength(1);
    expect(alice.linesFrom("changebot").filter((l) => l.text.startsWith("You are"))).toHaveLength(1);
  });

  test("a downtime scheduled from Slack is announced on IRC and on Slack", async () => {
    const start = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);
    await fake.deliver(eventBody(userMessage(DEV, "ULEAD", `!downtime schedule ${start}Z DB deployment`)));
    const onSlack = await fake.waitFor(
      () => fake.posted().find((m) => m.text.startsWith(":mega:") && /scheduled/.test(m.text)),
      "the announcement on Slack",
    );
    const onIrc = await alice.waitForLine("changebot", /scheduled/);
    expect(onIrc.target).toBe("#ops");
    expect(onIrc.text).toContain("DB deployment");
    expect(onSlack.text).toContain("DB deployment");
    // Slack shows the time in each reader's zone, the UTC text as its fallback; IRC says UTC.
    const unix = Math.floor(Date.parse(`${start}Z`) / 1000);
    const utc = `${start.replace("T", " ")} UTC`;
    expect(onSlack.text).toContain(`<!date^${unix}^{date_short_pretty} {time}|${utc}>`);
    expect(onSlack.text).toMatch(/–<!date\^\d+\^\{time\}\|\d{2}:\d{2} UTC>/);
    expect(onIrc.text).toContain(utc);
    expect(onIrc.text).not.toContain("<!date");
    // The lead who scheduled it hears back in Slack only.
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("Scheduled ")), "the reply");
    expect(alice.linesFrom("changebot").some((l) => l.text.startsWith("Scheduled "))).toBe(false);
  });
});
