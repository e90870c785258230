import type { HandleResult } from "../../src/bot/router.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { fuzzRuns } from "../harness/fuzz-lines.js";
import { FUZZ_CONFIG, FUZZ_ROLES, routerProperty } from "../harness/fuzz-router.js";
import { collectUnhandled } from "../harness/unhandled.js";

/**
 * Hostile input at volume (issue #16): generated command lines, from users with
 * and without roles, through the in-process adapter to the router on a real
 * redis-server. CHANGEBOT_FUZZ_RUNS sets the count (bench/fuzz.ts runs 10,000);
 * the seed is fixed (CHANGEBOT_FUZZ_SEED changes it); on a failure fast-check
 * prints it with the shrunk line.
 */
const RUNS = fuzzRuns(1000);
/** Fixed, so the suite is the same on every run; bench/fuzz.ts draws a new one each time. */
const seed = Number(process.env.CHANGEBOT_FUZZ_SEED ?? 1616);

describe("hostile command lines at the router", () => {
  const unhandled = collectUnhandled();

  test(`${RUNS} lines (seed ${seed}): no crash, replies within limits, nothing queued for a refused line`, async ({
    bot,
  }) => {
    const t = await bot({ roles: FUZZ_ROLES, role: "frontend", config: FUZZ_CONFIG });
    const stats = await routerProperty(t, { runs: RUNS, seed, unhandled });
    expect(stats.failure).toBeUndefined();
    // The generator reaches past the argument checks, not only "unknown command".
    expect(stats.outcomes.refused).toBeGreaterThan(0);
    expect(stats.outcomes.denied).toBeGreaterThan(0);
    expect(stats.outcomes.ok).toBeGreaterThan(0);
    // And the bot still answers afterwards.
    const r = (await t.adapter.say("!whoami", "tester")) as HandleResult;
    expect(r.outcome).toBe("ok");
    await t.adapter.waitFor((m) => m.text.includes("tester"));
    expect(unhandled).toEqual([]);
  }, 120_000);
});
