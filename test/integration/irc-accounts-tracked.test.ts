import { afterAll, test as base, expect } from "../harness/fixtures.js";
import { IrcUser, startIrcBot } from "../harness/irc.js";
import { registerAccount } from "../harness/irc-accounts.js";

// inspircd + atheme without the account-tag capability: the bot must know accounts from
// WHOX on joining, extended-join and account-notify, following nick changes.
const test = base.override("accountsOptions", { scope: "file" }, { accountTag: false });
const users: IrcUser[] = [];
afterAll(() => {
  for (const u of users) u.quit();
});

test("without account-tag, knows accounts from WHOX and extended-join, across nick changes", async ({
  redis,
  prefix,
  accounts: net,
}) => {
  // Registering logs her in (the server tells her channels through account-notify).
  const alice = await registerAccount(net.port, "alice", "alice-secret");
  users.push(alice);
  await alice.join("#trk");
  expect(alice.client.network.cap.isEnabled("account-tag")).toBe(false);
  expect(alice.client.network.cap.isEnabled("extended-join")).toBe(true);
  // alice was there first: the bot learns her account from its WHOX of the channel.
  const t = await startIrcBot({
    redisUrl: redis.url,
    prefix,
    port: net.port,
    channels: ["#trk"],
    roles: { lead: ["irc:account:alice"] },
  });
  try {
    alice.say("#trk", "!whoami");
    await alice.waitForLine("changebot", /account alice.*lead|lead.*account alice/);

    // alice renames; someone takes her old nick (extended-join says: no account).
    alice.client.changeNick("alice_away");
    await alice.waitUntil(() => alice.client.user.nick === "alice_away", "the nick change");
    // She shares no channel with the bot: a private message, and a nick the bot once
    // knew as alice's. The bot must not take the old nick's account for hers.
    const mallory = await new IrcUser("alice", "mallory").connect(net.port);
    users.push(mallory);
    mallory.say("changebot", "rc-mode on");
    const refused = await mallory.waitForLine("changebot", /needs the role lead/);
    expect(refused.target).toBe("alice");

    alice.say("#trk", "!rc-mode on");
    await alice.waitUntil(() => alice.topics.get("#trk")?.includes("PQM in RC mode"), "the RC topic");
    await alice.waitForLine("changebot", /PQM is in RC mode \(alice_away/);
  } finally {
    await t.stop();
  }
});
