import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.js";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
import { findBinary } from "../../src/infra/redis.js";
import { advanceTo } from "../harness/announce-time.js";
import { startTestBot } from "../harness/bot.js";
import { ROOT } from "../harness/child.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { capturingLogger } from "../harness/log.js";
import { ask, CREW, CREW_ROLES } from "../harness/runbook-driver.js";
import { startSentinelCluster } from "../harness/sentinel.js";

const M = 60_000;
const H = 60 * M;
/** What the issue promises: the bot answers again within 30 s of a failover. */
const ANSWER_WITHIN_MS = 30_000;
const UNCONFIRMED = "no Redis replica confirmed this write: a failover now could lose it";

describe("Redis Sentinel: the primary is killed mid-run", () => {
  test("the run goes on and finishes, announcements go out once, !ping answers within 30 s", {
    timeout: 120_000,
  }, async ({ sentinelCluster: cluster, runbookSshd: sshd }) => {
    const cap = capturingLogger();
    const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
    const release = join(sshd.dir, "release-copy");
    sshd.clearCalls();
    sshd.behave("rsync", { output: ["copying"], holdUntil: release });
    const t = await startTestBot({
      redisUrl: cluster.target,
      clock,
      log: cap.log,
      roles: CREW_ROLES,
      config: {
        runbooks: join(ROOT, "test/fixtures/runbooks-sentinel"),
        hosts: { box: sshd.hostEntry() },
        // Production's job locks: a failover takes seconds, and a lock must outlast it.
        jobs: { lockMs: 15_000, stalledCheckMs: 5_000 },
      },
    });
    try {
      const { adapter, services: s } = t;
      const say = (text: string, user: string, re: RegExp, timeoutMs?: number) => {
        const n = adapter.sent.length;
        const p = adapter.waitFor((m) => adapter.sent.indexOf(m) >= n && re.test(m.text), timeoutMs);
        return adapter.say(text, user).then(() => p);
      };
      const run = async () => (await getRun(s, runKey(s, "console", "console", "failover")))!;
      const announced = () => adapter.sent.filter((m) => m.kind === "announce").map((m) => m.text);

      // A downtime 5 h ahead: its reminder (4 h before) goes out before the failover, the rest after.
      const T0 = clock.now() + 5 * H;
      await ask(adapter, `!downtime schedule ${new Date(T0).toISOString()} Failover window`, CREW.lead, (m) =>
        m.text.startsWith("Scheduled #1"),
      );
      await advanceTo(clock, s.queues, T0 - 4 * H);
      await eventually(() => announced().some((x) => x.startsWith("Reminder: Downtime #1")), "the reminder");

      await say("!migrate start failover", CREW.lead, /run #\d+ started/);
      await say("!migrate run", CREW.engineer, /Run mode on/);
      await eventually(async () => (await run()).steps[1]!.status === "running", "the long copy to start");
      await eventually(() => sshd.calls().includes("rsync [copy]"), "the copy to run on the host");

      // The replica has everything the primary acknowledged; then the primary dies.
      await cluster.replicaInSync();
      expect(cap.lines.filter((l) => l.msg === UNCONFIRMED)).toEqual([]);
      const before = await cluster.primaryAddress();
      await cluster.failover();
      const failedOverAt = Date.now();
      expect(await cluster.primaryAddress()).not.toBe(before);

      // The whole path (router, work queue, worker, outbox) answers on the new primary.
      await say(
        "!ping",
        CREW.nobody,
        /#\d+ done \(.+\): pong$/,
        ANSWER_WITHIN_MS - (Date.now() - failedOverAt),
      );

      // The copy was running on the host all along; it ends, and run mode stops at the manual step.
      writeFileSync(release, "");
      await adapter.waitFor((m) => /Run mode stops at step 3\/5 "Look"/.test(m.text), 30_000);
      await say("!migrate ack", CREW.engineer, /acknowledged by eve/);
      await say("!migrate run", CREW.engineer, /Run mode on/);
      await eventually(
        async () => (await run()).steps[4]!.status === "awaiting-confirm",
        "the confirm prompt",
      );
      await say("!migrate confirm", CREW.losa, /All 5 steps are done: failover run #\d+ finished/, 30_000);
      expect((await run()).steps.map((x) => x.status)).toEqual(Array(5).fill("done"));
      // Every remote command ran once: nothing was re-run after the failover.
      expect(sshd.calls()).toEqual(["lpndt [one]", "rsync [copy]", "lpndt [two]", "dropdb [old]"]);

      // The downtime's later announcements come due after the failover; each goes out once.
      await advanceTo(clock, s.queues, T0 - 30 * M);
      await advanceTo(clock, s.queues, T0);
      await eventually(
        () => announced().some((x) => x.includes("has begun")),
        "the announcements after the failover",
      );
      // Running what is due again (a redelivery) posts nothing twice.
      await advanceTo(clock, s.queues, T0 + M);
      await eventually(async () => (await s.outbox.pending("console")) === 0, "the outbox to drain");
      expect(announced()).toEqual([
        expect.stringMatching(/^Downtime #1 \(Failover window\) scheduled: /),
        expect.stringMatching(/^Reminder: Downtime #1 \(Failover window\) starts /),
        expect.stringMatching(/^Downtime #1 \(Failover window\) starts in 30m /),
        expect.stringMatching(/^Downtime #1 \(Failover window\) has begun: /),
      ]);

      // The new primary has no replica (the old primary is dead): the writes that matter say so.
      const unconfirmed = cap.lines.filter((l) => l.msg === UNCONFIRMED);
      expect(unconfirmed.length).toBeGreaterThan(0);
      expect([...new Set(unconfirmed.map((l) => l.write))].sort()).toEqual([
        "announcement delivered marker",
        "run state",
      ]);
      expect(cap.lines.some((l) => l.msg === "Redis primary changed")).toBe(true);

      // A replica joins the new primary: the next announcement's marker is confirmed, and the log says so.
      await cluster.addReplica();
      const warned = unconfirmed.length;
      await ask(
        adapter,
        `!downtime schedule ${new Date(T0 + 24 * H).toISOString()} Second window`,
        CREW.lead,
        (m) => m.text.startsWith("Scheduled #2"),
      );
      await advanceTo(clock, s.queues, T0 + 20 * H);
      await eventually(() => announced().some((x) => x.startsWith("Reminder: Downtime #2")), "its reminder");
      await eventually(
        () => cap.lines.some((l) => l.msg === "writes reach a replica again"),
        "the recovery line",
      );
      expect(cap.lines.filter((l) => l.msg === UNCONFIRMED)).toHaveLength(warned);
      // Nothing was ever announced twice.
      expect(new Set(announced()).size).toBe(announced().length);
    } finally {
      await t.stop();
      sshd.behave("rsync", {});
    }
  });

  test("without redis-sentinel the harness fails naming Debian's package, before starting anything", async () => {
    const bin = mkdtempSync(join(tmpdir(), "changebot-no-sentinel-"));
    symlinkSync(findBinary("redis-server")!, join(bin, "redis-server"));
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      await expect(startSentinelCluster()).rejects.toThrow(
        "redis-sentinel is not installed: install Debian's package redis-sentinel (apt-get install redis-sentinel)",
      );
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
