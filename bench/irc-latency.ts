/**
 * Latency of `!help` over real IRC on loopback: a person's client sends it to
 * changebot on a local ngircd and times the first line of the reply; beside it,
 * the same measured against a bare irc-framework echo bot on the same server in
 * the same run (the floor: server relay and client parsing, no bot logic).
 *
 *   npx tsx bench/irc-latency.ts [--n 1000]
 *
 * changebot's line pacing is opened wide here (it would otherwise be the figure);
 * what is measured is router, Redis, the outbox queue and the IRC round trip.
 */
import { parseArgs } from "node:util";
import { Client } from "irc-framework";
import { Bot } from "../src/app.js";
import { createIrcAdapter } from "../src/bot/irc/factory.js";
import { parseConfig } from "../src/config/load.js";
import { silentLogger } from "../src/core/log.js";
import { IrcUser, startNgircd } from "../test/harness/irc.js";
import { startRedis } from "../test/harness/servers.js";
import { ms, printTable, summarize } from "./stats.js";

const { values } = parseArgs({ options: { n: { type: "string", default: "1000" } } });
const N = Number(values.n);

/** Sends `!help` n times, each after the previous reply is complete; returns ms to the first reply line. */
async function measure(user: IrcUser, channel: string, from: string, n: number): Promise<number[]> {
  // Warm up, and learn how many lines one reply has.
  user.say(channel, "!help");
  await user.waitForLine(from, /./, 10_000);
  await new Promise((r) => setTimeout(r, 500));
  const perReply = user.linesFrom(from).length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = user.linesFrom(from).length;
    const t0 = process.hrtime.bigint();
    user.say(channel, "!help");
    await user.waitUntil(() => user.linesFrom(from).length > before, "a reply", 10_000);
    out.push(ms(process.hrtime.bigint() - t0));
    await user.waitUntil(() => user.linesFrom(from).length >= before + perReply, "the whole reply", 10_000);
  }
  return out;
}

const [redis, ircd] = await Promise.all([startRedis(), startNgircd()]);
const config = parseConfig({
  keyPrefix: `bench${process.pid}`,
  networks: {
    irc: {
      host: "127.0.0.1",
      port: ircd.port,
      tls: false,
      channels: ["#bench"],
      burst: 1000,
      linesPerSecond: 10_000,
    },
  },
  announce: [],
});
const log = silentLogger();
const adapter = createIrcAdapter(config.networks.irc!, config.name, log);
const bot = await new Bot({ config, log, redisUrl: redis.url, adapters: [adapter] }).start();
await adapter.waitConnected();

// The floor: a bare irc-framework bot answering !help with one line.
const echo = new Client();
await new Promise<void>((res) => {
  echo.once("registered", () => {
    echo.join("#floor");
    res();
  });
  echo.connect({ host: "127.0.0.1", port: ircd.port, nick: "echobot", auto_reconnect: false });
});
echo.on("privmsg", (e: { target: string; message: string }) => {
  if (e.message === "!help") echo.say(e.target, "help: the commands you may run");
});

const user = await new IrcUser("bencher").connect(ircd.port);
await user.join("#bench");
await user.join("#floor");
await new Promise((r) => setTimeout(r, 200));

const floor = await measure(user, "#floor", "echobot", N);
const changebot = await measure(user, "#bench", "changebot", N);

const f = summarize(floor);
const c = summarize(changebot);
printTable(`!help → first reply line over IRC on loopback (ngircd), ${N} commands each, ms`, [
  { bot: "irc-framework echo bot (floor)", p50: f.p50, p99: f.p99, max: f.max },
  { bot: "changebot", p50: c.p50, p99: c.p99, max: c.max },
  { bot: "ratio changebot / floor", p50: c.p50 / f.p50, p99: c.p99 / f.p99, max: c.max / f.max },
]);

user.quit();
echo.quit();
await bot.stop(2000);
await Promise.all([redis.stop(), ircd.stop()]);
process.exit(0);
