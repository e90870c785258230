import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../src/infra/redis.js";
import { eventually } from "./eventually.js";
import { IrcUser, selfSignedCert } from "./irc.js";
import { type RunningServer, requireBinary, spawnServer, waitForPort } from "./servers.js";

/**
 * An IRC network with services accounts and SASL on loopback: Debian's
 * inspircd (IRCv3 account-tag, extended-join, account-notify, WHOX, SASL) with
 * Debian's atheme-services linked to it as NickServ/SaslServ. Plain-text
 * clients on `port`, TLS (self-signed) on `tlsPort`.
 */
export interface AccountsNetwork {
  port: number;
  tlsPort: number;
  dir: string;
  ircd: RunningServer;
  services: RunningServer;
  stop(): Promise<void>;
}

const LINK_PASSWORD = "changebot-test-link";

export async function startAccountsNetwork(o: { accountTag?: boolean } = {}): Promise<AccountsNetwork> {
  const inspircd = requireBinary("inspircd", "inspircd");
  const atheme = requireBinary("atheme-services", "atheme-services");
  const [tlsPort, linkPort] = [await freePort(), await freePort()];
  let dir = "";
  // Through sh with core dumps off: inspircd may dump core when its services link is cut at teardown.
  const sh = requireBinary("sh", "dash");
  const ircd = await spawnServer(sh, (port, d) => {
    dir = d;
    selfSignedCert(d);
    const conf = join(d, "inspircd.conf");
    writeFileSync(join(d, "motd"), "changebot test network\n");
    writeFileSync(
      conf,
      `<config format="xml">
<server name="irc.test.invalid" description="changebot test" id="0AA" network="TestNet">
<admin name="test" nick="test" email="test@test.invalid">
<bind address="127.0.0.1" port="${port}" type="clients">
<bind address="127.0.0.1" port="${tlsPort}" type="clients" ssl="gnutls">
<bind address="127.0.0.1" port="${linkPort}" type="servers">
<connect name="main" allow="*" timeout="60" pingfreq="120" sendq="1048576" recvq="65536"
  localmax="1000" globalmax="1000" maxconnwarn="no" useident="no" resolvehostnames="no"
  threshold="0" commandrate="1000000" fakelag="no" limit="5000" modes="">
<files motd="${join(d, "motd")}">
<pid file="${join(d, "inspircd.pid")}">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${join(d, "ircd.log")}">
<options hostintopic="no" defaultmodes="n">
<security hidesplits="no" hideulines="no" runasuser="" runasgroup="">
<dns server="127.0.0.1" timeout="1">
<module name="ssl_gnutls">
<sslprofile name="gnutls" provider="gnutls" certfile="${join(d, "cert.pem")}" keyfile="${join(d, "key.pem")}" requestclientcert="yes" hash="sha256">
<module name="sslinfo">
<module name="spanningtree">
<module name="services_account">
<module name="sasl">
<module name="cap">
<module name="ircv3">
${o.accountTag === false ? "" : '<module name="ircv3_accounttag">\n'}<module name="hidechans">
<module name="svshold">
<module name="chghost">
<module name="topiclock">
<sasl target="services.test.invalid" requiressl="no">
<link name="services.test.invalid" ipaddr="127.0.0.1" port="${linkPort}" allowmask="127.0.0.1/32"
  sendpass="${LINK_PASSWORD}" recvpass="${LINK_PASSWORD}">
<uline server="services.test.invalid" silent="yes">
`,
    );
    const args = [
      "--nofork",
      "--nopid",
      "--config",
      conf,
      ...(process.getuid?.() === 0 ? ["--runasroot"] : []),
    ];
    return ["-c", 'ulimit -c 0; exec "$0" "$@"', inspircd, ...args];
  });
  await waitForPort(linkPort);
  const svcDir = join(dir, "atheme");
  mkdirSync(svcDir, { recursive: true });
  const svcConf = join(svcDir, "atheme.conf");
  writeFileSync(
    svcConf,
    `loadmodule "modules/protocol/inspircd";
loadmodule "modules/backend/opensex";
loadmodule "modules/crypto/pbkdf2v2";
loadmodule "modules/nickserv/main";
loadmodule "modules/nickserv/register";
loadmodule "modules/nickserv/identify";
loadmodule "modules/nickserv/cert";
loadmodule "modules/saslserv/main";
loadmodule "modules/saslserv/plain";
loadmodule "modules/saslserv/external";
serverinfo {
  name = "services.test.invalid"; desc = "changebot test services"; numeric = "0AB";
  recontime = 1; netname = "TestNet"; hidehostsuffix = "users.test.invalid";
  adminname = "test"; adminemail = "test@test.invalid"; registeremail = "test@test.invalid";
  mta = "/bin/true"; loglevel = { error; info; }; maxlogins = 5; maxusers = 50; mdlimit = 30;
  emaillimit = 10; emailtime = 300; auth = none; casemapping = rfc1459;
};
uplink "irc.test.invalid" { host = "127.0.0.1"; password = "${LINK_PASSWORD}"; port = ${linkPort}; };
general { commit_interval = 5; language = "en"; ratelimit_uses = 1000; ratelimit_period = 1; flood_msgs = 1000; flood_time = 1; };
nickserv { nick = "NickServ"; user = "NickServ"; host = "services.test.invalid"; real = "Nickname Services"; maxnicks = 5; expire = 0; };
saslserv { nick = "SaslServ"; user = "SaslServ"; host = "services.test.invalid"; real = "SASL"; };
logfile "${join(svcDir, "atheme.log")}" { all; };
`,
  );
  const services = await spawnServer(
    atheme,
    () => [
      "-n",
      "-c",
      svcConf,
      "-l",
      join(svcDir, "atheme.log"),
      "-p",
      join(svcDir, "atheme.pid"),
      "-D",
      svcDir,
    ],
    { port: ircd.port, keepDir: true },
  ).catch(async (e) => {
    await ircd.stop();
    throw e;
  });
  // Services are ready once they have synchronised with the IRC server.
  await eventually(() => /finished synching with uplink/.test(services.output()), {
    what: "atheme-services to link to inspircd",
    timeoutMs: 15_000,
  }).catch(async (e) => {
    await Promise.all([services.kill(), ircd.stop()]);
    throw new Error(`${(e as Error).message}\n${services.output()}`);
  });
  return {
    port: ircd.port,
    tlsPort,
    dir,
    ircd,
    services,
    stop: async () => {
      await services.kill();
      await ircd.stop();
    },
  };
}

/** Registers a services account through NickServ (the client stays logged in); returns the client. */
export async function registerAccount(
  port: number,
  nick: string,
  password: string,
  extra: Record<string, unknown> = {},
): Promise<IrcUser> {
  const u = await new IrcUser(nick).connect(port, extra);
  u.say("NickServ", `REGISTER ${password} ${nick}@test.invalid`);
  await u.waitForLine("NickServ", /is now registered/);
  return u;
}
