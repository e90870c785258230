/**
 * The quick start as a person sees it: `node bin/changebot.js` with no config,
 * started with ./changebot's node flags (BOT_NODE_FLAGS)
 * (the embedded default: the console and a private Redis), `!ping` typed at
 * once; measured: spawn → "#1 done" on stdout, and the process's resident
 * memory (VmRSS) once it sits idle afterwards. The private Redis of the data
 * folder is already running (left from the last start, as the quick start allows).
 * Floors in the same run: a bare `node -e` process's RSS, and a fresh node
 * process loading BullMQ and running one job round trip on the same Redis.
 *
 *   npx tsx bench/startup.ts [--runs 5]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { silentLogger } from "../src/core/log.js";
import { startPrivateRedis } from "../src/infra/private-redis.js";
import {
  BOT_NODE_FLAGS,
  cleanUpOnSignals,
  endAll,
  endGroup,
  ROOT,
  spawnBench,
  waitForOutput,
} from "./procs.js";
import { type Figure, isMain, printFigures, summarize } from "./stats.js";

const IDLE_MS = 3000;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

export interface Startup {
  firstReplyMs: number[];
  idleRssMb: number[];
  floorRoundTripMs: number[];
  floorRssMb: number[];
}

export async function startup(runs: number): Promise<Startup> {
  const data = mkdtempSync(join(tmpdir(), "changebot-bench-"));
  const redis = await startPrivateRedis(join(data, "data"), silentLogger());
  const r: Startup = { firstReplyMs: [], idleRssMb: [], floorRoundTripMs: [], floorRssMb: [] };
  const env = { ...process.env, REDIS_URL: "", CHANGEBOT_CONFIG: "", CHANGEBOT_DATA: join(data, "data") };
  try {
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const bot = spawnBench(process.execPath, [...BOT_NODE_FLAGS, join(ROOT, "bin/changebot.js")], {
        env,
        stdio: "pipe",
      });
      bot.stdin!.write("!ping\n");
      await waitForOutput(bot, /#\d+ done/);
      r.firstReplyMs.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, IDLE_MS));
      r.idleRssMb.push(rssMb(bot.pid!));
      bot.stdin!.end();
      await new Promise((res) => bot.once("exit", res));
      await endGroup(bot);

      t = performance.now();
      const once = spawnBench(process.execPath, [join(ROOT, "bench/bullmq-once.mjs"), redis.url], {
        stdio: "pipe",
      });
      await waitForOutput(once, /done/);
      r.floorRoundTripMs.push(performance.now() - t);
      await endGroup(once);

      const bare = spawnBench(
        process.execPath,
        ["-e", "process.stdout.write('up\\n'); setTimeout(() => {}, 60000)"],
        {
          stdio: "pipe",
        },
      );
      await waitForOutput(bare, /up/);
      await new Promise((res) => setTimeout(res, 500));
      r.floorRssMb.push(rssMb(bare.pid!));
      await endGroup(bare);
    }
    return r;
  } finally {
    await endAll();
    await redis.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

export function startupFigures(r: Startup): Figure[] {
  const med = (xs: number[]) => summarize(xs).p50;
  return [
    {
      figure: "quick start: idle RSS (median of runs)",
      value: med(r.idleRssMb),
      unit: "MB",
      floor: med(r.floorRssMb),
      floorLabel: "(bare node -e)",
      goal: { max: 100 },
    },
    {
      figure: "quick start → first !ping reply (median)",
      value: med(r.firstReplyMs) / 1000,
      unit: "s",
      floor: med(r.floorRoundTripMs) / 1000,
      floorLabel: "(fresh node + one BullMQ job)",
      goal: { max: 1.0 },
    },
  ];
}

if (isMain(import.meta.url)) {
  cleanUpOnSignals();
  const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
  const r = await startup(Number(values.runs));
  console.log(JSON.stringify(r));
  printFigures("quick start", startupFigures(r));
  process.exit(0);
}
