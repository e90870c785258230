/**
 * Latency of `!help` over real IRC on loopback: a person's client sends it to
 * changebot on a local ngircd and times the first line of the reply; beside it,
 * the same measured against a bare irc-framework echo bot on the same server in
 * the same run (the floor: server relay and client parsing, no bot logic).
 * Both bots run as processes of their own, as they would in production (the
 * bot is the compiled `node bin/changebot.js` with its own config), so the
 * measuring client never shares an event loop with what it measures.
 *
 *   npx tsx bench/irc-latency.ts [--n 1000]
 *
 * Both are asked at the same pace, one `!help` per PACE_MS at most (below); the
 * echo bot asked back to back is printed beside them, without a goal.
 *
 * changebot's line pacing is opened wide here (it would otherwise be the figure);
 * what is measured is router, Redis, the outbox queue and the IRC round trip.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeConfig } from "../test/harness/child.js";
import { IrcUser, startNgircd } from "../test/harness/irc.js";
import { startRedis } from "../test/harness/servers.js";
import {
  BOT_NODE_FLAGS,
  cleanUpOnSignals,
  endAll,
  endGroup,
  ROOT,
  spawnBench,
  waitForOutput,
} from "./procs.js";
import { type Figure, isMain, ms, printFigures, printTable, summarize } from "./stats.js";

/**
 * Each `!help` is sent at least this long after the previous one, to the bot
 * and to the floor alike. changebot's answer is 15 lines, whose tail reaches the
 * client about 42 ms after its first line (ngircd does not set TCP_NODELAY, so
 * it waits for the client's delayed ACK); the next `!help` waits for the whole
 * reply, so the bot, the server and the client sat idle that long before each
 * line timed, while the one-line echo bot was asked again 0.4 ms after its
 * answer. Woken from idle the same work is slower (caches, the VM's halted
 * vCPU): asked after the same 43 ms pause the echo bot's p50 was 1.34 ms, not
 * 0.43 ms. So both are asked at the same pace, as people ask a bot: after a pause.
 */
export const PACE_MS = 50;

/**
 * Sends `!help` n times, each after the previous reply is complete and at least
 * `paceMs` after the previous `!help`; returns ms to the first reply line.
 */
async function measure(
  user: IrcUser,
  channel: string,
  from: string,
  n: number,
  paceMs: number,
): Promise<number[]> {
  // Warm up (until the bot answers at all), then learn how many lines one reply has.
  const pause = () => new Promise((r) => setTimeout(r, 500));
  for (let tries = 0, seen = user.countFrom(from); user.countFrom(from) === seen; tries++) {
    if (tries > 60) throw new Error(`${from} never answered in ${channel}`);
    user.say(channel, "!help");
    await user.waitUntil(() => user.countFrom(from) > seen, "an answer", 500).catch(() => {});
  }
  await pause();
  const one = user.countFrom(from);
  user.say(channel, "!help");
  await pause();
  const perReply = user.countFrom(from) - one;
  const out: number[] = [];
  let sent = 0;
  for (let i = 0; i < n; i++) {
    const wait = sent + paceMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const before = user.countFrom(from);
    sent = Date.now();
    const t0 = process.hrtime.bigint();
    user.say(channel, "!help");
    await user.waitUntil(() => user.countFrom(from) > before, "a reply", 10_000);
    out.push(ms(process.hrtime.bigint() - t0));
    await user.waitUntil(() => user.countFrom(from) >= before + perReply, "the whole reply", 10_000);
  }
  return out;
}

export interface IrcLatency {
  floor: number[];
  changebot: number[];
  /** The echo bot asked again as soon as it answered (warm): how the floor was timed before PACE_MS. */
  floorBackToBack: number[];
}

export async function ircLatency(n: number): Promise<IrcLatency> {
  const [redis, ircd] = await Promise.all([startRedis(), startNgircd()]);
  const dir = mkdtempSync(join(tmpdir(), "changebot-bench-"));
  const user = new IrcUser("bencher");
  try {
    const cfg = writeConfig(
      {
        redis: redis.url,
        keyPrefix: "bench",
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
        log: { level: "warn" },
        dataDir: join(dir, "data"),
      },
      dir,
    );
    const bot = spawnBench(
      process.execPath,
      [
        ...BOT_NODE_FLAGS,
        ...(process.env.BENCH_BOT_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_BOT_PROF] : []),
        join(ROOT, "bin/changebot.js"),
        "--config",
        cfg,
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const echo = spawnBench(
      process.execPath,
      [join(ROOT, "bench/echo-bot.mjs"), String(ircd.port), "#floor"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await waitForOutput(echo, /joined/);
    await user.connect(ircd.port);
    await user.join("#bench");
    await user.join("#floor");
    const floorBackToBack = await measure(user, "#floor", "echobot", n, 0);
    const floor = await measure(user, "#floor", "echobot", n, PACE_MS);
    const changebot = await measure(user, "#bench", "changebot", n, PACE_MS);
    user.quit();
    await Promise.all([endGroup(bot), endGroup(echo)]);
    return { floor, changebot, floorBackToBack };
  } finally {
    await endAll();
    await Promise.all([redis.stop(), ircd.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ircFigures(r: IrcLatency): Figure[] {
  const f = summarize(r.floor);
  const c = summarize(r.changebot);
  const floorLabel = "(bare irc-framework echo bot)";
  return [
    {
      figure: "IRC !help → first reply line, p50",
      value: c.p50,
      unit: "ms",
      floor: f.p50,
      floorLabel,
      goal: { maxRatio: 3 },
    },
    {
      figure: "IRC !help → first reply line, p99",
      value: c.p99,
      unit: "ms",
      floor: f.p99,
      floorLabel,
      goal: { maxRatio: 2 },
    },
    {
      // No goal: beside the echo bot timed warm, as before both were paced (see PACE_MS).
      figure: "IRC !help → first reply line, p50, floor unpaced",
      value: c.p50,
      unit: "ms",
      floor: summarize(r.floorBackToBack).p50,
      floorLabel: "(echo bot asked back to back)",
    },
  ];
}

if (isMain(import.meta.url)) {
  cleanUpOnSignals();
  const { values } = parseArgs({ options: { n: { type: "string", default: "1000" } } });
  const N = Number(values.n);
  const r = await ircLatency(N);
  const f = summarize(r.floor);
  const c = summarize(r.changebot);
  const w = summarize(r.floorBackToBack);
  printTable(
    `!help → first reply line over IRC on loopback (ngircd), ${N} commands each, one per ${PACE_MS} ms at most, ms`,
    [
      { bot: "echo bot asked back to back (no pace)", p50: w.p50, p99: w.p99, max: w.max },
      { bot: "irc-framework echo bot (floor)", p50: f.p50, p99: f.p99, max: f.max },
      { bot: "changebot", p50: c.p50, p99: c.p99, max: c.max },
      { bot: "ratio changebot / floor", p50: c.p50 / f.p50, p99: c.p99 / f.p99, max: c.max / f.max },
    ],
  );
  printFigures("goals", ircFigures(r));
  process.exit(0);
}
