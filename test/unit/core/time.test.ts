import { describe, expect, it } from "vitest";
import { parseScheduleArgs } from "../../../src/announce/schedule-args.js";
import { formatUtc, parseTime, relative } from "../../../src/core/time.js";

const T = Date.UTC(2026, 11, 1, 14, 0);

describe("times typed in chat", () => {
  it("reads ISO 8601, 'UTC' and zone names", () => {
    expect(parseTime(["2026-12-01T14:00Z"])).toEqual({ at: T, words: 1 });
    expect(parseTime(["2026-12-01T15:00+01:00"]).at).toBe(T);
    expect(parseTime(["2026-12-01", "14:00", "UTC"])).toEqual({ at: T, words: 3 });
    expect(parseTime(["2026-12-01 14:00 UTC"]).at).toBe(T);
    // London is on GMT in December, on BST in July.
    expect(parseTime(["2026-12-01", "14:00", "Europe/London"]).at).toBe(T);
    expect(parseTime(["2026-07-01", "14:00", "Europe/London"]).at).toBe(Date.UTC(2026, 6, 1, 13, 0));
    expect(parseTime(["2026-12-01", "09:00", "America/New_York"]).at).toBe(T);
  });
  it("refuses a time without a zone, and an unknown zone, saying why", () => {
    expect(() => parseTime(["2026-12-01T14:00"])).toThrow(/no time zone/);
    expect(() => parseTime(["2026-12-01", "14:00", "Mars/Base"])).toThrow(/not a time zone/);
    expect(() => parseTime(["tomorrow"])).toThrow(/2026-12-01T14:00Z/);
  });
  it("shows UTC and the time left", () => {
    expect(formatUtc(T)).toBe("2026-12-01 14:00 UTC");
    expect(relative(T, T - (3 * 60 + 58) * 60_000)).toBe("in 3h 58m");
    expect(relative(T, T + 5 * 60_000)).toBe("5m ago");
  });
  it("parses the schedule options in any order", () => {
    const a = parseScheduleArgs(
      [
        "2026-12-01",
        "14:00",
        "UTC",
        "window=2h",
        "backup=2026-12-02",
        "14:00",
        "UTC",
        "--short-notice",
        "DB",
        "deploy",
      ],
      "usage",
    );
    expect(a).toEqual({
      start: T,
      windowMs: 2 * 3_600_000,
      backup: T + 86_400_000,
      shortNotice: true,
      title: "DB deploy",
    });
    expect(parseScheduleArgs(["2026-12-01T14:00Z", "backup=2026-12-02T14:00Z"], "u").backup).toBe(
      T + 86_400_000,
    );
    expect(() => parseScheduleArgs(["2026-12-01T14:00Z", "window=soon"], "u")).toThrow(/not a duration/);
  });
});
