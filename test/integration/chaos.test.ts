import { describe, expect, test } from "vitest";
import { formatReport, runDrill } from "../harness/chaos.js";
import { drawSchedule } from "../harness/chaos-schedule.js";

/**
 * The chaos drill of bench/chaos.ts, shorter: a fixed seed, 3 kill -9s of the
 * bot, an ngircd restart, an sshd restart and a Redis partition while the
 * drill's runbook is driven to its end and a downtime's announcements come due.
 */
const SEED = 1916;
const SIZE = { kills: 3, ircRestarts: 1, sshdRestarts: 1, partitions: 1 };

describe("the chaos drill", () => {
  test("a seed draws the same schedule every time, and another seed another one", () => {
    expect(drawSchedule(SEED, SIZE)).toEqual(drawSchedule(SEED, SIZE));
    expect(drawSchedule(SEED + 1, SIZE)).not.toEqual(drawSchedule(SEED, SIZE));
    const kinds = drawSchedule(SEED, SIZE).map((e) => e.kind);
    expect(kinds.filter((k) => k === "kill")).toHaveLength(3);
    expect(new Set(kinds)).toEqual(new Set(["kill", "irc", "sshd", "partition"]));
  });

  test("through kill -9s, IRC and sshd restarts and a Redis partition: nothing runs twice, nothing is lost", {
    timeout: 240_000,
  }, async () => {
    const timeline: string[] = [];
    const r = await runDrill({ seed: SEED, ...SIZE, finishTimeoutMs: 60_000, log: (l) => timeline.push(l) });
    const report = `${timeline.join("\n")}\n${formatReport(r)}`;
    expect(r.violations, `seed ${SEED}:\n${report}`).toEqual([]);
    expect(r.counts.kills, report).toBe(3);
    expect(r.counts["irc restarts"], report).toBe(1);
    expect(r.counts["sshd restarts"], report).toBe(1);
    expect(r.counts.partitions, report).toBe(1);
    // Every once-only command ran exactly once, every announcement was posted once.
    for (const c of r.commands)
      expect(c.idempotent ? c.ran >= 1 : c.ran === 1, `${c.call}\n${report}`).toBe(true);
    // (or, for a slot that no longer mattered when a restarted bot found it due, dropped by design)
    for (const a of r.announcements)
      expect(a.seen === 1 || (a.seen === 0 && a.marker === "dropped"), `${a.what}\n${report}`).toBe(true);
    expect(r.status.join("\n"), report).toMatch(/The run is finished/);
  });
});
