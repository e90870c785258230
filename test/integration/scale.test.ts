import { type ChildBot, spawnBot, writeConfig } from "../harness/child.js";
import { afterAll, describe, expect, test } from "../harness/fixtures.js";

describe("several processes on one Redis", () => {
  const workers: ChildBot[] = [];
  afterAll(async () => {
    for (const w of workers) w.proc.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited()));
  });

  test("runs each of 500 queued no-op jobs exactly once across two worker processes", {
    timeout: 120_000,
  }, async ({ redis, prefix, bot }) => {
    // The workers' config sets no network and no short locks: only the front end talks.
    const cfg = writeConfig({ redis: redis.url, keyPrefix: prefix, jobs: { concurrency: 8 } });
    // One front end (in this process, no workers) and two worker processes.
    const front = await bot({ role: "frontend" });
    for (let i = 0; i < 2; i++) workers.push(spawnBot(["--config", cfg, "--role", "worker"]));
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
  });
});
