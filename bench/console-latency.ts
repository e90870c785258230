/**
 * Latency from a console line to its reply, through the real router, Redis
 * outbox and (for !ping) the work queue, on a private redis-server:
 *   !help  answered in-process (router + outbox)
 *   !ping  a no-op job (router + work queue + worker + outbox)
 * beside, in the same run, the floors: a Redis PING round trip and a bare
 * BullMQ add → worker → completed round trip. Then commands per second.
 *   npx tsx bench/console-latency.ts [--n 1000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Bot } from "../src/app.js";
import { MemoryAdapter } from "../src/bot/memory.js";
import { parseConfig } from "../src/config/load.js";
import { silentLogger } from "../src/core/log.js";
import type { OutboundMessage } from "../src/core/messages.js";
import { startPrivateRedis } from "../src/infra/private-redis.js";
import { queueOptions } from "../src/infra/queues.js";
import { type Figure, isMain, ms, printTable, summarize } from "./stats.js";

export interface ConsoleLatency {
  ping: number[];
  queueFloor: number[];
  help: number[];
  job: number[];
  routedMs: number;
  finishedMs: number;
  n: number;
  floorPerSecond: number;
}

export async function consoleLatency(N: number): Promise<ConsoleLatency> {
  const log = silentLogger();
  const data = mkdtempSync(join(tmpdir(), "changebot-bench-"));
  const redis = await startPrivateRedis(data, log);
  try {
    async function floorRedisPing(): Promise<number[]> {
      const r = new Redis(redis.url);
      const out: number[] = [];
      for (let i = 0; i < N; i++) {
        const t = process.hrtime.bigint();
        await r.ping();
        out.push(ms(process.hrtime.bigint() - t));
      }
      r.disconnect();
      return out;
    }

    async function floorBullmq(): Promise<number[]> {
      const env = { redisUrl: redis.url, prefix: "floor" };
      const q = new Queue("floor", queueOptions(env));
      const events = new QueueEvents("floor", queueOptions(env));
      const w = new Worker("floor", async () => "ok", { ...queueOptions(env), concurrency: 4 });
      await events.waitUntilReady();
      const out: number[] = [];
      for (let i = 0; i < N; i++) {
        const t = process.hrtime.bigint();
        const job = await q.add("x", {});
        await job.waitUntilFinished(events);
        out.push(ms(process.hrtime.bigint() - t));
      }
      await w.close();
      await events.close();
      await q.close();
      return out;
    }

    /** Throughput floor: N bare BullMQ jobs added at once, all completed. */
    async function floorThroughput(): Promise<number> {
      const env = { redisUrl: redis.url, prefix: "floortp" };
      const q = new Queue("floortp", queueOptions(env));
      // Each waitUntilFinished below listens for the queue's closing: N at once.
      q.setMaxListeners(0);
      const events = new QueueEvents("floortp", queueOptions(env));
      const w = new Worker("floortp", async () => "ok", { ...queueOptions(env), concurrency: 4 });
      await events.waitUntilReady();
      const t = process.hrtime.bigint();
      const jobs = await Promise.all(Array.from({ length: N }, () => q.add("x", {})));
      await Promise.all(jobs.map((j) => j.waitUntilFinished(events)));
      const s = ms(process.hrtime.bigint() - t) / 1000;
      await w.close();
      await events.close();
      await q.close();
      return N / s;
    }

    // As the console: it hands each line over once (ConsoleAdapter.redelivers: no dedupe round
    // trip) and has no threads (ConsoleAdapter.threads: no message ids kept in Redis).
    const adapter = new (class extends MemoryAdapter {
      readonly redelivers = false;
      readonly threads = false;
    })("console", 1000, ["console"]);
    const config = parseConfig({
      keyPrefix: "bench",
      networks: { console: {} },
      roles: { admin: ["console:bench"] },
    });
    const bot = await new Bot({ config, log, redisUrl: redis.url, adapters: [adapter] }).start();

    /** Time from say() to the first message matching. */
    async function roundTrip(text: string, done: (m: OutboundMessage) => boolean): Promise<number[]> {
      const out: number[] = [];
      for (let i = 0; i < N; i++) {
        const t = process.hrtime.bigint();
        const seen = adapter.waitFor(done, 10_000);
        adapter.sent.length = 0;
        await adapter.say(text, "bench");
        await seen;
        out.push(ms(process.hrtime.bigint() - t));
      }
      return out;
    }

    // Warm up every path once.
    await roundTrip("!ping", (m) => / done /.test(m.text));
    const ping = await floorRedisPing();
    const queueFloor = await floorBullmq();
    const help = await roundTrip("!help", (m) => m.text.startsWith("Commands you may run"));
    const job = await roundTrip("!ping", (m) => / done /.test(m.text));

    // Throughput: N pings said back to back; routed+queued, then all done.
    adapter.sent.length = 0;
    const t0 = process.hrtime.bigint();
    const said = await Promise.all(
      Array.from({ length: N }, () => adapter.say("!ping", "bench") as Promise<{ jobs: number[] }>),
    );
    const routed = ms(process.hrtime.bigint() - t0);
    const ids = said.flatMap((r) => r.jobs);
    const { events, jobs } = bot.services;
    await Promise.all(ids.map((id) => events.finished(id, jobs)));
    const finished = ms(process.hrtime.bigint() - t0);
    const tpFloor = await floorThroughput();
    await bot.stop(1000);
    return {
      ping,
      queueFloor,
      help,
      job,
      routedMs: routed,
      finishedMs: finished,
      n: N,
      floorPerSecond: tpFloor,
    };
  } finally {
    await redis.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

export function consoleFigures(r: ConsoleLatency): Figure[] {
  const job = summarize(r.job);
  const floor = summarize(r.queueFloor);
  return [
    {
      figure: "console !ping → done, p50",
      value: job.p50,
      unit: "ms",
      floor: floor.p50,
      floorLabel: "(bare BullMQ round trip)",
    },
    {
      figure: `throughput: ${r.n} !ping routed, queued, done`,
      value: r.n / (r.finishedMs / 1000),
      unit: "cmd/s",
      floor: r.floorPerSecond,
      floorLabel: "(bare BullMQ jobs)",
      goal: { min: 2000 },
    },
  ];
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { n: { type: "string", default: "1000" } } });
  const N = Number(values.n);
  const {
    ping,
    queueFloor,
    help,
    job,
    routedMs: routed,
    finishedMs: finished,
    floorPerSecond,
  } = await consoleLatency(N);
  const row = (name: string, s: number[], floor?: number[]) => {
    const a = summarize(s);
    const f = floor ? summarize(floor) : undefined;
    return { path: name, n: a.n, "p50 ms": a.p50, "p99 ms": a.p99, "p50 × floor": f ? a.p50 / f.p50 : "-" };
  };
  printTable(`console → reply latency (${N} commands each, one at a time)`, [
    row("floor: redis PING", ping),
    row("floor: bare BullMQ job round trip", queueFloor),
    row("!help (router + outbox)", help, ping),
    row("!ping (router + queue + worker + outbox)", job, queueFloor),
  ]);
  printTable(`throughput (${N} !ping said at once)`, [
    { stage: "routed and queued", seconds: routed / 1000, "commands/s": N / (routed / 1000) },
    { stage: "all jobs done", seconds: finished / 1000, "commands/s": N / (finished / 1000) },
    { stage: "floor: bare BullMQ jobs done", seconds: N / floorPerSecond, "commands/s": floorPerSecond },
  ]);
  process.exit(0);
}
