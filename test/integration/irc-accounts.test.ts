import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "../harness/eventually.js";
import { afterAll, expect, test } from "../harness/fixtures.js";
import { IrcUser, selfSignedCert, startIrcBot } from "../harness/irc.js";
import { type AccountsNetwork, registerAccount } from "../harness/irc-accounts.js";

// inspircd + atheme-services: services accounts, SASL, account-tag, extended-join.
let net: AccountsNetwork;
const users: IrcUser[] = [];
const certDir = mkdtempSync(join(tmpdir(), "changebot-cert-"));
test.beforeAll(({ accounts }) => {
  net = accounts;
});
afterAll(() => {
  for (const u of users) u.quit();
  rmSync(certDir, { recursive: true, force: true });
});

test("logs in with SASL PLAIN; roles follow the services account, not the nick", async ({
  redis,
  prefix,
}) => {
  (await registerAccount(net.port, "changebot", "bot-secret")).quit();
  (await registerAccount(net.port, "alice", "alice-secret")).quit();
  // The real alice, logged in (SASL) under another nick.
  const alice = await new IrcUser("alice_work").connect(net.port, {
    account: { account: "alice", password: "alice-secret" },
  });
  users.push(alice);
  await alice.join("#acc");
  const t = await startIrcBot({
    redisUrl: redis.url,
    prefix,
    port: net.port,
    channels: ["#acc"],
    roles: { lead: ["irc:account:alice"] },
    irc: { sasl: { mechanism: "PLAIN", account: "changebot", password: "bot-secret" } },
  });
  try {
    // The server vouches for the bot's own login (extended-join carries the account).
    const join = await alice.waitUntil(
      () => alice.joins.find((j) => j.nick === "changebot"),
      "the bot's join",
    );
    expect(join.account).toBe("changebot");
    // Someone else takes the nick "alice" without her account.
    const mallory = await new IrcUser("alice", "mallory").connect(net.port);
    users.push(mallory);
    await mallory.join("#acc");
    mallory.say("#acc", "!rc-mode on");
    const refused = await mallory.waitForLine("changebot", /needs the role lead/);
    expect(refused.text).toContain("alice!mallory@");
    alice.say("#acc", "!rc-mode on");
    await alice.waitUntil(() => alice.topics.get("#acc")?.includes("PQM in RC mode"), "the RC topic");
    alice.say("#acc", "!whoami");
    await alice.waitForLine("changebot", /account alice/);
  } finally {
    await t.stop();
  }
});

test("logs in with SASL EXTERNAL using a client certificate over TLS", async ({ redis, prefix }) => {
  const { cert, key } = selfSignedCert(certDir, "certbot");
  const tlsCert = { tls: true, rejectUnauthorized: false };
  const reg = await registerAccount(net.tlsPort, "certbot", "unused-secret", {
    ...tlsCert,
    client_certificate: { certificate: readFileSync(cert, "utf8"), private_key: readFileSync(key, "utf8") },
  });
  reg.say("NickServ", "CERT ADD");
  await reg.waitForLine("NickServ", /[Aa]dded fingerprint/);
  reg.quit();
  const watcher = await new IrcUser("watcher").connect(net.port);
  users.push(watcher);
  await watcher.join("#ext");
  const t = await startIrcBot({
    redisUrl: redis.url,
    prefix,
    port: net.tlsPort,
    channels: ["#ext"],
    irc: { nick: "certbot", tls: true, tlsInsecure: true, sasl: { mechanism: "EXTERNAL", cert, key } },
  });
  try {
    const join = await watcher.waitUntil(
      () => watcher.joins.find((j) => j.nick === "certbot" && j.channel === "#ext"),
      "the bot's join",
    );
    expect(join.account).toBe("certbot");
  } finally {
    await t.stop();
  }
});

test("says in the log when the SASL login is refused, without the password, and keeps retrying", async () => {
  const { capturingLogger } = await import("../harness/log.js");
  const { IrcAdapter } = await import("../../src/bot/irc/adapter.js");
  const cap = capturingLogger();
  const adapter = new IrcAdapter({
    connect: {
      host: "127.0.0.1",
      port: net.port,
      tls: false,
      nick: "wrongpw",
      sasl: { mechanism: "PLAIN", account: "changebot", password: "not-the-password" },
    },
    channels: ["#x"],
    linesPerSecond: 10,
    burst: 10,
    log: cap.log,
  });
  await adapter.start();
  try {
    await eventually(
      () => {
        if (cap.lines.filter((l) => /SASL login failed/.test(String(l.msg))).length < 2)
          throw new Error(`no repeated SASL failure in the log:\n${cap.text()}`);
        return true;
      },
      { what: "a repeated SASL failure in the log", timeoutMs: 10_000 },
    );
    expect(adapter.isConnected()).toBe(false);
    expect(cap.text()).not.toContain("not-the-password");
  } finally {
    await adapter.stop();
  }
});
