import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestBot } from "../harness/bot.js";
import { type ChildBot, spawnBot, writeConfig } from "../harness/child.js";
import { startRedis } from "../harness/servers.js";

describe("several processes on one Redis", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const workers: ChildBot[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const w of workers) w.proc.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited()));
    await redis?.stop();
  });

  it("runs each of 500 queued no-op jobs exactly once across two worker processes", {
    timeout: 120_000,
  }, async () => {
    const prefix = `scale${Date.now()}`;
    const cfg = writeConfig({ redis: redis.url, keyPrefix: prefix, jobs: { concurrency: 8 } });
    // One front end (in this process, no workers) and two worker processes.
    const front = await startTestBot({ redisUrl: redis.url, prefix, role: "frontend" });
    for (let i = 0; i < 2; i++) workers.push(spawnBot(["--config", cfg, "--role", "worker"]));
    try {
      const ids: number[] = [];
      for (let i = 0; i < 500; i++) {
        const r = (await front.adapter.say("!ping", "tester")) as { jobs: number[] };
        ids.push(...r.jobs);
      }
      expect(ids).toHaveLength(500);
      const { events, jobs } = front.services;
      await Promise.all(ids.map((id) => events.finished(id, jobs)));
      const recs = await Promise.all(ids.map((id) => jobs.get(id)));
      expect(recs.filter((r) => r?.state !== "done" || r.runs !== 1)).toEqual([]);
      const byWorker = new Set(recs.map((r) => r!.worker!.split(":")[1]));
      // Both worker processes took jobs; the front end (this process) took none.
      expect(byWorker.size).toBe(2);
      expect(byWorker.has(String(process.pid))).toBe(false);
    } finally {
      await front.stop();
    }
  });
});
