import { describe, expect, it } from "vitest";
import { ManualClock, systemClock } from "../../../src/core/clock.js";

describe("Clock.until", () => {
  it("the system clock never wakes before the time it was asked for", async () => {
    for (let i = 0; i < 20; i++) {
      const t = Date.now() + 1 + (i % 5);
      await systemClock.until(t);
      expect(Date.now()).toBeGreaterThanOrEqual(t);
    }
    // A time already past: at once.
    const before = Date.now();
    await systemClock.until(before - 1000);
  });

  it("a manual clock wakes a waiter only when it is moved to or past its time, each once", async () => {
    const clock = new ManualClock(1000);
    const woke: string[] = [];
    const a = clock.until(1100).then(() => woke.push("a"));
    const b = clock.until(1200).then(() => woke.push("b"));
    await clock.until(900).then(() => woke.push("past"));
    clock.advance(99);
    await Promise.resolve();
    expect(woke).toEqual(["past"]);
    clock.advance(1);
    await a;
    expect(woke).toEqual(["past", "a"]);
    clock.set(5000);
    await b;
    clock.advance(1000);
    await Promise.resolve();
    expect(woke).toEqual(["past", "a", "b"]);
  });
});
