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
import { silentLogger } from "../src/log.js";
import { IrcUser, startNgircd } from "../test/harness/irc.js";
import { startRedis } from "../test/harness/servers.js";

const { values } = parseArgs({ options: { n: { type: "string", default: "1000" } } });
const N = Number(values.n);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

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
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
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

const row = (name: string, xs: number[]) =>
  `${name.padEnd(24)} p50 ${pct(xs, 50).toFixed(2).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(2).padStart(7)} ms`;
console.log(`!help → first reply line over IRC on loopback (ngircd), ${N} commands each`);
console.log(row("irc-framework echo bot", floor));
console.log(row("changebot", changebot));
console.log(
  `ratio (changebot / floor)  p50 ${(pct(changebot, 50) / pct(floor, 50)).toFixed(1)}×   p99 ${(pct(changebot, 99) / pct(floor, 99)).toFixed(1)}×`,
);

user.quit();
echo.quit();
await bot.stop(2000);
await Promise.all([redis.stop(), ircd.stop()]);
process.exit(0);
