import { describe, expect, it } from "vitest";
import {
  deliveryDecision,
  planAbort,
  planAfterStart,
  planAnnouncements,
  startTooEarly,
} from "../../../src/announce/plan.js";
import { configSchema } from "../../../src/config/schema.js";
import { ManualClock } from "../../../src/core/clock.js";

const H = 3_600_000;
const M = 60_000;
const lead = configSchema.parse({}).downtime.leadTimes;
const T0 = Date.UTC(2026, 11, 1, 14, 0);
const dt = { start: T0, windowMs: 90 * M };

describe("planAnnouncements", () => {
  it("plans every lead time of seed 001 when scheduled a week ahead", () => {
    const clock = new ManualClock(T0 - 7 * 24 * H);
    const p = planAnnouncements(dt, clock.now(), lead);
    expect(p.slots.map((s) => [s.kind, (s.due - T0) / M])).toEqual([
      ["merge-cutoff", -48 * 60],
      ["reminder", -4 * 60],
      ["early-pause", -30],
      ["start", 0],
      ["off-track", 30],
      ["overrun", 90],
    ]);
    expect(p.missed).toEqual([]);
    expect(p.shortNotice).toBe(false);
    expect(p.slots.find((s) => s.kind === "merge-cutoff")?.audience).toBe("engineers");
  });

  it("takes its lead times from the configuration", () => {
    const custom = configSchema.parse({ downtime: { leadTimes: { reminder: "6h", earlyPause: "15m" } } })
      .downtime.leadTimes;
    const p = planAnnouncements(dt, T0 - 7 * 24 * H, custom);
    expect(p.slots.find((s) => s.kind === "reminder")?.due).toBe(T0 - 6 * H);
    expect(p.slots.find((s) => s.kind === "early-pause")?.due).toBe(T0 - 15 * M);
  });

  it("drops the slots already past as time moves across each lead time", () => {
    const clock = new ManualClock(T0 - 48 * H - 1);
    const remaining = () => planAnnouncements(dt, clock.now(), lead).slots.map((s) => s.kind);
    expect(remaining()).toHaveLength(6);
    clock.advance(2);
    expect(remaining()[0]).toBe("reminder");
    clock.set(T0 - 4 * H + 1);
    expect(remaining()[0]).toBe("early-pause");
    clock.set(T0 - 30 * M + 1);
    expect(remaining()[0]).toBe("start");
    clock.set(T0 + 1);
    expect(remaining()).toEqual(["off-track", "overrun"]);
  });

  it("flags short notice inside the reminder's lead time and lists the missed slots", () => {
    const p = planAnnouncements(dt, T0 - 3 * H, lead);
    expect(p.shortNotice).toBe(true);
    expect(p.missed.map((s) => s.kind)).toEqual(["merge-cutoff", "reminder"]);
    expect(p.slots[0]?.kind).toBe("early-pause");
    expect(planAnnouncements(dt, T0 - 4 * H, lead).shortNotice).toBe(false);
  });

  it("a move across lead times re-plans from the new start", () => {
    const now = T0 - 30 * H;
    const before = planAnnouncements(dt, now, lead);
    expect(before.missed.map((s) => s.kind)).toEqual(["merge-cutoff"]);
    const moved = planAnnouncements({ ...dt, start: T0 + 24 * H }, now, lead);
    expect(moved.missed).toEqual([]);
    expect(moved.slots[0]).toMatchObject({ kind: "merge-cutoff", due: T0 - 24 * H });
    const closer = planAnnouncements({ ...dt, start: now + 2 * H }, now, lead);
    expect(closer.shortNotice).toBe(true);
  });
});

describe("planAbort", () => {
  it("moves to a backup window 25 h away", () => {
    const now = T0 + 40 * M;
    expect(planAbort(now + 25 * H, now, lead)).toEqual({ kind: "backup", start: now + 25 * H });
  });
  it("asks for another window when the backup is only 23 h away", () => {
    const now = T0 + 40 * M;
    expect(planAbort(now + 23 * H, now, lead)).toEqual({
      kind: "need-window",
      earliest: now + 24 * H,
      backupTooSoon: now + 23 * H,
    });
  });
  it("asks for a window when there is no backup", () => {
    expect(planAbort(undefined, T0, lead)).toMatchObject({ kind: "need-window", earliest: T0 + 24 * H });
  });
});

describe("deliveryDecision", () => {
  const slot = { due: T0 - 4 * H, mattersUntil: T0 };
  it("posts on time, late after the grace, and drops once the moment has passed", () => {
    expect(deliveryDecision(slot, slot.due + 500, 2 * M)).toEqual({ post: true, late: false, lateByMs: 500 });
    expect(deliveryDecision(slot, slot.due + 3 * H, 2 * M)).toMatchObject({ post: true, late: true });
    expect(deliveryDecision(slot, T0, 2 * M)).toMatchObject({ post: false });
  });
});

describe("a real start against the plan", () => {
  it("is too early before the early-pause slot, and not from it on", () => {
    expect(startTooEarly(dt, T0 - 43 * H, lead)).toBe(T0 - 30 * M);
    expect(startTooEarly(dt, T0 - 30 * M, lead)).toBeUndefined();
    expect(startTooEarly(dt, T0 + 10 * M, lead)).toBeUndefined();
  });

  it("moves the slots after the start with the real start, keeping only those not yet made", () => {
    const all = ["off-track", "overrun"] as const;
    const late = planAfterStart(dt, T0 + 30 * M, T0 + 30 * M, lead, all);
    expect(late.map((s) => [s.kind, (s.due - T0) / M])).toEqual([
      ["off-track", 60],
      ["overrun", 120],
    ]);
    expect(planAfterStart(dt, T0 + 40 * M, T0 + 40 * M, lead, ["overrun"]).map((s) => s.kind)).toEqual([
      "overrun",
    ]);
    const early = planAfterStart(dt, T0 - 43 * H, T0 - 43 * H, lead, all);
    expect(early.map((s) => (s.due - T0) / M)).toEqual([-43 * 60 + 30, -43 * 60 + 90]);
  });
});
