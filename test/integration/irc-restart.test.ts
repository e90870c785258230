import { afterAll, beforeAll, test } from "../harness/fixtures.js";
import { IrcUser, type Ngircd, startIrcBot, startNgircd } from "../harness/irc.js";

// An ngircd of this file's own, not the fixture's: the test kills and restarts it.
let ircd: Ngircd;
beforeAll(async () => {
  ircd = await startNgircd();
});
afterAll(async () => {
  await ircd?.stop();
});

test("comes back after ngircd is killed and restarted: rejoins, restores its topic segment, delivers what was said meanwhile", async ({
  redis,
  prefix,
}) => {
  const t = await startIrcBot({
    redisUrl: redis.url,
    prefix,
    port: ircd.port,
    channels: ["#lp"],
    roles: { lead: ["irc:mask:alice!~alice@127.0.0.1"] },
  });
  const alice = await new IrcUser("alice").connect(ircd.port);
  try {
    await alice.join("#lp");
    alice.raw("TOPIC #lp :Launchpad development");
    alice.say("#lp", "!rc-mode on");
    await alice.waitUntil(
      () => alice.topics.get("#lp") === "PQM in RC mode | Launchpad development",
      "the RC topic",
    );

    await ircd.kill();
    await t.irc.waitUntilDisconnected();
    // Said while the server is gone: the outbox holds it until the bot is back in the channel.
    await t.services.outbox.send({
      network: "irc",
      target: "#lp",
      kind: "reply",
      text: "said during the outage",
    });
    ircd = await ircd.restart();

    // A server restart loses the channel and its topic; alice comes back first.
    const back = await new IrcUser("alice").connect(ircd.port);
    try {
      await back.join("#lp");
      await t.irc.waitConnected();
      await back.waitForLine("changebot", /^said during the outage$/);
      await back.waitUntil(() => back.topics.get("#lp") === "PQM in RC mode", "the restored segment");
    } finally {
      back.quit();
    }
  } finally {
    alice.quit();
    await t.stop();
  }
});
