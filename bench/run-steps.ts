/**
 * The time the bot adds between one step and the next under `!migrate run`, on
 * the console, with a real Redis (private) and a real sshd: a runbook of N
 * trivial ssh steps (`echo step`), run to its end R times. For each pair of
 * steps the gap is taken from the records, not from chat: from the moment the
 * run records step i over (its `finishedAt` in the run) to the moment a worker
 * takes step i+1's job (the job record's `startedAt`).
 *
 * Floor, same run, same Redis: a bare BullMQ job chain in which each job, as it
 * finishes, adds the next (as a finishing step job starts the next step): from
 * the moment a job's work is over to BullMQ's `processedOn` of the next one.
 * Worker concurrency is the bot's (`jobs.concurrency`, 4) for both.
 *
 *   npx tsx bench/run-steps.ts [--steps 50] [--runs 4]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Job, Queue, Worker } from "bullmq";
import { Bot } from "../src/app.js";
import { MemoryAdapter } from "../src/bot/memory.js";
import { parseConfig } from "../src/config/load.js";
import { silentLogger } from "../src/core/log.js";
import { lastRun } from "../src/domain/runbook/state.js";
import { startPrivateRedis } from "../src/infra/private-redis.js";
import { queueOptions } from "../src/infra/queues.js";
import { startSshd } from "../test/harness/sshd.js";
import { type Figure, isMain, printFigures, printTable, summarize } from "./stats.js";

export interface RunSteps {
  steps: number;
  runs: number;
  /** Step end → next step's job taken, ms, every pair of every run. */
  gaps: number[];
  /** Bare BullMQ chain: a job's end → the next job taken, ms. */
  floor: number[];
  /** Wall time of one whole run, ms (median), for scale. */
  runMs: number;
}

function runbookYaml(n: number): string {
  const steps = Array.from(
    { length: n },
    (_, i) => `  - { id: s${i + 1}, kind: ssh, host: box, title: Step ${i + 1}, argv: [echo, step] }`,
  );
  return `id: bench-steps\ntitle: Trivial steps for the run-mode bench\nsteps:\n${steps.join("\n")}\n`;
}

/** A bare BullMQ chain of n jobs on the same Redis: each job adds the next as it finishes. */
async function bareChain(redisUrl: string, n: number, concurrency: number): Promise<number[]> {
  const env = { redisUrl, prefix: "floorchain" };
  const q = new Queue("chain", queueOptions(env));
  const gaps: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const w = new Worker(
    "chain",
    async (job: Job<{ i: number; prevEnd?: number }>) => {
      const { i, prevEnd } = job.data;
      if (prevEnd !== undefined && job.processedOn !== undefined) gaps.push(job.processedOn - prevEnd);
      if (i + 1 >= n) {
        done();
        return;
      }
      await q.add("x", { i: i + 1, prevEnd: Date.now() }, { removeOnComplete: true });
    },
    { ...queueOptions(env), concurrency },
  );
  await w.waitUntilReady();
  await q.add("x", { i: 0 }, { removeOnComplete: true });
  await finished;
  await w.close();
  await q.obliterate({ force: true });
  await q.close();
  return gaps;
}

export async function runSteps(N: number, R: number): Promise<RunSteps> {
  const log = silentLogger();
  const data = mkdtempSync(join(tmpdir(), "changebot-bench-run-"));
  const redis = await startPrivateRedis(data, log);
  const sshd = await startSshd();
  const dir = join(data, "runbooks");
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, "bench-steps.yaml"), runbookYaml(N));
    const adapter = new MemoryAdapter("console", 1000, ["console"]);
    const config = parseConfig({
      keyPrefix: "benchrun",
      networks: { console: {} },
      roles: { admin: ["console:bench"] },
      runbooks: dir,
      hosts: { box: sshd.hostEntry() },
    });
    const bot = await new Bot({ config, log, redisUrl: redis.url, adapters: [adapter] }).start();
    const s = bot.services;
    const gaps: number[] = [];
    const walls: number[] = [];
    // One warm-up run (the SSH connection, the code paths), then R measured runs.
    for (let r = 0; r <= R; r++) {
      adapter.sent.length = 0;
      await adapter.say("!migrate start bench-steps", "bench");
      await adapter.waitFor((m) => /run #\d+ started/.test(m.text), 30_000);
      const t = performance.now();
      await adapter.say("!migrate run", "bench");
      const end = await adapter.waitFor(
        (m) => /All \d+ steps are done|Run mode stops at/.test(m.text),
        300_000,
      );
      if (!/All \d+ steps are done/.test(end.text)) throw new Error(`the bench run stopped: ${end.text}`);
      walls.push(performance.now() - t);
      const run = await lastRun(s, "console", "console");
      if (run?.status !== "finished") throw new Error(`the bench run did not finish: ${run?.status}`);
      if (r === 0) continue;
      for (let i = 0; i + 1 < run.steps.length; i++) {
        const end = run.steps[i]!.finishedAt;
        const next = await s.jobs.get(run.steps[i + 1]!.job!);
        if (end === undefined || next?.startedAt === undefined)
          throw new Error(`step ${i + 1}: no timestamps`);
        gaps.push(next.startedAt - end);
      }
    }
    await bot.stop(2000);
    const floor: number[] = [];
    for (let r = 0; r < R; r++) floor.push(...(await bareChain(redis.url, N, config.jobs.concurrency)));
    return { steps: N, runs: R, gaps, floor, runMs: summarize(walls.slice(1)).p50 };
  } finally {
    await sshd.stop();
    await redis.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

export function runStepsFigures(r: RunSteps): Figure[] {
  const g = summarize(r.gaps);
  const f = summarize(r.floor);
  const label = "(bare BullMQ job chain)";
  return [
    {
      figure: `!migrate run, ${r.steps} ssh steps: step end → next step, p50`,
      value: g.p50,
      unit: "ms",
      floor: f.p50,
      floorLabel: label,
    },
    {
      figure: `!migrate run, ${r.steps} ssh steps: step end → next step, p99`,
      value: g.p99,
      unit: "ms",
      floor: f.p99,
      floorLabel: label,
      goal: { max: 50 },
    },
  ];
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: { steps: { type: "string", default: "50" }, runs: { type: "string", default: "4" } },
  });
  const r = await runSteps(Number(values.steps), Number(values.runs));
  const row = (path: string, xs: number[]) => {
    const a = summarize(xs);
    return { path, n: a.n, "p50 ms": a.p50, "p99 ms": a.p99, "max ms": a.max };
  };
  printTable(
    `!migrate run on the console: ${r.runs} runs of ${r.steps} trivial ssh steps (one run ${(r.runMs / 1000).toFixed(2)} s, median)`,
    [
      row("step end → next step's job taken (run + job records)", r.gaps),
      row("floor: bare BullMQ job chain", r.floor),
    ],
  );
  printFigures("goal (issue #14: p99 < 50 ms)", runStepsFigures(r));
  process.exit(0);
}
