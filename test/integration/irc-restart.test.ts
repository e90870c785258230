import { test } from "../harness/fixtures.js";

// The test kills and restarts the file's ngircd (ircWorld keeps track of the one running).
test("comes back after ngircd is killed and restarted: rejoins, restores its topic segment, delivers what was said meanwhile", async ({
  ircWorld,
  ircBot,
  ircUser,
}) => {
  const t = await ircBot({
    channels: ["#lp"],
    roles: { lead: ["irc:mask:alice!~alice@127.0.0.1"] },
  });
  const alice = await ircUser("alice");
  await alice.join("#lp");
  alice.raw("TOPIC #lp :Launchpad development");
  alice.say("#lp", "!rc-mode on");
  await alice.waitUntil(
    () => alice.topics.get("#lp") === "PQM in RC mode | Launchpad development",
    "the RC topic",
  );

  await ircWorld.kill();
  await t.irc.waitUntilDisconnected();
  // Said while the server is gone: the outbox holds it until the bot is back in the channel.
  await t.services.outbox.send({
    network: "irc",
    target: "#lp",
    kind: "reply",
    text: "said during the outage",
  });
  await ircWorld.restart();

  // A server restart loses the channel and its topic; alice comes back first.
  const back = await ircUser("alice");
  await back.join("#lp");
  await t.irc.waitConnected();
  await back.waitForLine("changebot", /^said during the outage$/);
  await back.waitUntil(() => back.topics.get("#lp") === "PQM in RC mode", "the restored segment");
});
