/**
 * The router's hostile-input property at full count (issue #16): 10,000
 * generated command lines through the in-process adapter to a bot on a private
 * redis-server, as test/integration/fuzz-router.test.ts runs fewer of them.
 * Prints the count, the time, the outcomes and the failure (with fast-check's
 * seed and the shrunk line) if there is one.
 *
 *   npx tsx bench/fuzz.ts [--runs 10000] [--seed N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { silentLogger } from "../src/core/log.js";
import { startPrivateRedis } from "../src/infra/private-redis.js";
import { startTestBot } from "../test/harness/bot.js";
import { FUZZ_CONFIG, FUZZ_ROLES, type FuzzStats, routerProperty } from "../test/harness/fuzz-router.js";
import type { Figure } from "./stats.js";
import { isMain } from "./stats.js";

export async function fuzzBench(runs: number, seed?: number): Promise<FuzzStats> {
  const dir = mkdtempSync(join(tmpdir(), "changebot-fuzz-"));
  const redis = await startPrivateRedis(dir, silentLogger());
  const unhandled: unknown[] = [];
  const hear = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", hear);
  const t = await startTestBot({
    redisUrl: redis.url,
    roles: FUZZ_ROLES,
    role: "frontend",
    config: FUZZ_CONFIG,
  });
  try {
    return await routerProperty(t, { runs, seed, unhandled });
  } finally {
    process.off("unhandledRejection", hear);
    await t.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fuzzFigures(r: FuzzStats): Figure[] {
  return [
    {
      figure: `fuzz: ${r.runs} hostile lines at the router, time`,
      value: r.ms / 1000,
      unit: "s",
    },
    {
      figure: `fuzz: ${r.runs} hostile lines at the router, failures`,
      value: r.failure ? 1 : 0,
      unit: "",
      goal: { max: 0 },
    },
  ];
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "10000" }, seed: { type: "string" } },
  });
  const runs = Number(values.runs);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  console.log(`fuzz: seed ${seed}`);
  const r = await fuzzBench(runs, seed);
  console.log(
    `fuzz: ${r.runs} cases in ${(r.ms / 1000).toFixed(1)} s (${((r.runs / r.ms) * 1000).toFixed(0)}/s)`,
  );
  console.log(
    `outcomes: ${Object.entries(r.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  console.log(r.failure ? `failures: 1\n${r.failure}` : "failures: 0");
  process.exit(r.failure ? 1 : 0);
}
