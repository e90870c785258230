import { describe, expect, it } from "vitest";
import { localTimes } from "../../../src/bot/slack/format.js";
import { formatHhmm, formatUtc, timesIn } from "../../../src/core/time.js";

describe("times said in a text, read back", () => {
  const at = Date.parse("2026-12-01T23:30:00Z");
  it("finds formatUtc's times and a window's end, across midnight", () => {
    const text = `Downtime ${formatUtc(at)}–${formatHhmm(at + 90 * 60_000)} UTC, backup ${formatUtc(at + 86_400_000)}.`;
    const spans = timesIn(text);
    expect(spans.map((s) => s.at)).toEqual([at, at + 90 * 60_000, at + 86_400_000]);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([
      "2026-12-01 23:30 UTC",
      "01:00 UTC",
      "2026-12-02 23:30 UTC",
    ]);
  });
  it("Slack wraps each in a date token with the UTC text as fallback", () => {
    expect(localTimes(`starts ${formatUtc(at)}.`)).toBe(
      `starts <!date^${at / 1000}^{date_short_pretty} {time}|2026-12-01 23:30 UTC>.`,
    );
    expect(localTimes("no time here, 14:00 alone")).toBe("no time here, 14:00 alone");
  });
});
