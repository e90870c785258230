/**
 * Every benchmark, one after another, and one table: each figure beside its
 * floor measured in the same run, the ratio, the goal (issue #15) and whether
 * it is met. Each benchmark ends every process it started; so does this run
 * on Ctrl-C.
 *
 *   npm run bench               the full run (about 5 minutes)
 *   npm run bench -- --quick    smaller N and a shorter announcement window (under 2 minutes)
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { announceBench, announceFigures } from "./announce.js";
import { consoleFigures, consoleLatency } from "./console-latency.js";
import { fuzzBench, fuzzFigures } from "./fuzz.js";
import { ircFigures, ircLatency } from "./irc-latency.js";
import { cleanUpOnSignals, endAll, ROOT } from "./procs.js";
import { runSteps, runStepsFigures } from "./run-steps.js";
import { sshFigures, sshSteps } from "./ssh-steps.js";
import { startup, startupFigures } from "./startup.js";
import { type Figure, met, printFigures } from "./stats.js";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const quick = values.quick;
cleanUpOnSignals();

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const started = new Date();
const loadBefore = load();
// The bot runs compiled (bin/changebot.js would rebuild it on its first start, inside a timing).
execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: ["ignore", "ignore", "inherit"] });

const plan: [string, () => Promise<Figure[]>][] = [
  ["console", async () => consoleFigures(await consoleLatency(quick ? 300 : 2000))],
  ["irc", async () => ircFigures(await ircLatency(quick ? 200 : 1000))],
  ["startup", async () => startupFigures(await startup(quick ? 2 : 5))],
  ["ssh", async () => sshFigures(await sshSteps(100, quick ? 5 : 20))],
  [
    "announce",
    async () =>
      announceFigures(
        await announceBench(
          quick
            ? { n: 1500, seconds: 15, killAt: 0.5, downMs: 2000 }
            : { n: 10_000, seconds: 60, killAt: 0.5, downMs: 3000 },
        ),
      ),
  ],
];

// Run mode's step-to-step overhead (issue #14), beside a bare BullMQ job chain.
plan.push(["run-steps", async () => runStepsFigures(await runSteps(50, quick ? 1 : 4))]);

// Hostile input at the router (issue #16): the full count, where the test suite runs fewer.
plan.push([
  "fuzz",
  async () => {
    const r = await fuzzBench(quick ? 2000 : 10_000);
    if (r.failure) process.stderr.write(`\n${r.failure}\n`);
    return fuzzFigures(r);
  },
]);

const figures: Figure[] = [];
let failed = false;
for (const [name, step] of plan) {
  const t = performance.now();
  process.stderr.write(`bench: ${name}…`);
  try {
    figures.push(...(await step()));
    process.stderr.write(` ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  } catch (e) {
    failed = true;
    process.stderr.write(` failed: ${(e as Error).stack ?? e}\n`);
  } finally {
    await endAll();
  }
}

printFigures(
  `changebot benchmarks${quick ? " (--quick)" : ""}, ${started.toISOString()}, ${cpus().length} cores, load average before ${loadBefore}, after ${load()}`,
  figures,
);
const goals = figures.filter((f) => f.goal);
const metCount = goals.filter((f) => met(f)).length;
console.log(`\n${metCount} of ${goals.length} goals met${failed ? "; a benchmark failed (above)" : ""}`);
process.exit(failed ? 1 : 0);
