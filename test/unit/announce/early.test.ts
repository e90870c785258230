import { describe, expect, it } from "vitest";
import { EARLY_MS, whenTaken } from "../../../src/announce/delayed.js";

describe("an announcement taken before its time", () => {
  it("is held when BullMQ handed it over as planned, EARLY_MS ahead or less, or late", () => {
    const due = 1_000_000;
    expect(whenTaken(due, due - EARLY_MS)).toEqual({ hold: true });
    expect(whenTaken(due, due - EARLY_MS - 100)).toEqual({ hold: true });
    expect(whenTaken(due, due)).toEqual({ hold: true });
    expect(whenTaken(due, due + 5000)).toEqual({ hold: true });
  });

  it("goes back to come due EARLY_MS before its time when taken far earlier (promoted by hand)", () => {
    const due = 10_000_000;
    expect(whenTaken(due, due - 3_600_000)).toEqual({ hold: false, againInMs: 3_600_000 - EARLY_MS });
    expect(whenTaken(due, due - 2 * EARLY_MS - 1)).toEqual({ hold: false, againInMs: EARLY_MS + 1 });
  });
});
