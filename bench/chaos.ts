/**
 * The chaos drill (issue #16) at full size: a seeded schedule of kill -9s of
 * the bot (20 by default), ngircd and sshd restarts and Redis partitions while
 * a runbook with ssh, check, loop, wait, manual, irreversible and announce
 * steps is driven to its end and a downtime's announcements come due; then the
 * invariants (test/harness/chaos-check.ts). --verbose also prints the console's output. Prints the seed, the schedule, the
 * operator's actions, the counts and the time; exits 1 on any violation.
 * `--seed N` draws the same schedule and the same operator actions again (the
 * timing of a run is the machine's).
 *
 *   npx tsx bench/chaos.ts [--seed 16] [--kills 20] [--irc 3] [--sshd 3] [--partitions 2]
 */
import { parseArgs } from "node:util";
import { formatReport, runDrill } from "../test/harness/chaos.js";
import { cleanUpOnSignals, endAll } from "./procs.js";
import { isMain } from "./stats.js";

export const DEFAULT_SEED = 16;

if (isMain(import.meta.url)) {
  cleanUpOnSignals();
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: String(DEFAULT_SEED) },
      kills: { type: "string", default: "20" },
      irc: { type: "string", default: "3" },
      sshd: { type: "string", default: "3" },
      partitions: { type: "string", default: "2" },
      verbose: { type: "boolean", default: false },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) {
    console.error(`--seed must be a whole number, not ${values.seed}`);
    process.exit(2);
  }
  console.log(`chaos: seed ${seed}`);
  let code = 1;
  try {
    const r = await runDrill({
      seed,
      kills: Number(values.kills),
      ircRestarts: Number(values.irc),
      sshdRestarts: Number(values.sshd),
      partitions: Number(values.partitions),
      log: (l) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`),
    });
    if (values.verbose) console.log(`console output:\n${r.lines.join("\n")}\n`);
    console.log(formatReport(r));
    code = r.violations.length ? 1 : 0;
  } catch (e) {
    console.error(`chaos: the drill itself failed (seed ${seed}): ${(e as Error).stack ?? e}`);
  } finally {
    await endAll();
  }
  process.exit(code);
}
