import { describe, expect, it } from "vitest";
import { budget, parseAppliedLines, verdict } from "../../../src/domain/db-budget.js";

describe("the DB time budget", () => {
  it("sums the 'applied just now' lines, counting a patch seen in several logs once (its last time)", () => {
    const log = [
      "2011-03-01 10:00:01 INFO 2208-30-0 applied just now in 70.5 seconds",
      "2208-31-0 applied just now in 10 seconds",
      "some other line about 2208-32-0",
      "2208-30-0 applied just now in 80.5 seconds",
      "",
    ].join("\n");
    expect(parseAppliedLines(log)).toEqual([
      { patch: "2208-31-0", seconds: 10 },
      { patch: "2208-30-0", seconds: 80.5 },
    ]);
  });

  it("estimates production as twice staging plus 10 minutes and gives a clear verdict", () => {
    const ok = budget([70.5, 600], 90 * 60_000);
    expect(ok.productionMs).toBe(2 * 670_500 + 600_000);
    expect(ok.fits).toBe(true);
    expect(verdict(ok)).toBe(
      "Within budget: staging 11m 11s → production estimate 2 × 11m 11s + 10m = 32m 21s, fits the 1h 30m window with 57m 39s to spare.",
    );
    const over = budget([2400.5], 90 * 60_000);
    expect(over.fits).toBe(false);
    expect(verdict(over)).toMatch(/^OVER BUDGET: .* = 1h 30m 1s, 1s more than the 1h 30m window/);
    expect(budget([2400], 90 * 60_000).fits).toBe(true);
  });
});
