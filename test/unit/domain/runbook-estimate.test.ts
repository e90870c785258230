import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import type { Runbook } from "../../../src/config/runbook.js";
import { parseRunbook } from "../../../src/config/runbook-load.js";
import { planTimes, planTimesText, slippage } from "../../../src/domain/runbook/estimate.js";
import type { RunState, StepStatus } from "../../../src/domain/runbook/state.js";

const M = 60_000;

function runbook(yaml: string): Runbook {
  const problems: string[] = [];
  const rb = parseRunbook("t.yaml", yaml, parseConfig({}), problems);
  expect(problems).toEqual([]);
  return rb!;
}

const RB = `id: t
title: T
parameters: { component: { type: enum, values: [a, b] } }
offTrack: 20m
steps:
  - { kind: announce, title: Warn, text: hi, estimate: 1m }
  - { kind: downtime-start, title: Down }
  - { kind: manual, role: losa, title: Stop, instructions: x, estimate: 10m }
  - { kind: manual, role: losa, title: Only b, instructions: x, estimate: 30m, when: component == b }
  - { kind: manual, role: losa, title: Move, instructions: x, estimate: 25m }
  - { kind: downtime-end, title: Up }
  - { kind: manual, role: losa, title: Look, instructions: x }
`;

function run(statuses: StepStatus[], extra: Partial<RunState> = {}): RunState {
  return {
    params: { component: "a" },
    steps: statuses.map((status) => ({ status, jobs: [] })),
    downtime: {},
    ...extra,
  } as RunState;
}

describe("the plan in time", () => {
  it("adds up the estimates of the steps that apply, and those between the markers", () => {
    const rb = runbook(RB);
    expect(rb.offTrack).toBe(20 * M);
    const a = planTimes(rb, { component: "a" })!;
    expect(a).toEqual({ total: 36 * M, downtime: 35 * M, unestimated: 1 });
    expect(planTimesText(a)).toBe("plan: 36m in all, 35m of downtime (1 step without an estimate)");
    expect(planTimesText(planTimes(rb, { component: "b" })!)).toBe(
      "plan: 1h 6m in all, 1h 5m of downtime (1 step without an estimate)",
    );
    // No estimates at all: no plan line.
    expect(planTimes(runbook(RB.replace(/, estimate: \d+m/g, "")), { component: "a" })).toBeUndefined();
    // The default margin is seed 001's 30 minutes.
    expect(runbook(RB.replace("offTrack: 20m\n", "")).offTrack).toBe(30 * M);
  });

  it("measures slippage inside the downtime only: steps over count their estimate, a step under way up to it", () => {
    const rb = runbook(RB);
    const t0 = 1_000_000_000;
    const statuses: StepStatus[] = ["done", "done", "done", "skipped", "awaiting-ack", "pending", "pending"];
    const r = run(statuses, { downtime: { start: t0 } });
    r.steps[4]!.startedAt = t0 + 12 * M;
    // 30m in: Stop (10m) over, Move under way 18m of its 25m; the skipped when: step counts nothing.
    expect(slippage(rb, r, t0 + 30 * M)).toMatchObject({ planned: 28 * M, behind: 2 * M, offTrack: 20 * M });
    // 60m in: Move 48m in, credited its 25m: 25m behind.
    expect(slippage(rb, r, t0 + 60 * M)!.behind).toBe(25 * M);
    // Before the marker and after the end: nothing measured.
    expect(slippage(rb, run(statuses), t0)).toBeUndefined();
    expect(slippage(rb, run(statuses, { downtime: { start: t0, end: t0 + M } }), t0 + 2 * M)).toBeUndefined();
  });
});
