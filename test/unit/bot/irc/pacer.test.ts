import { describe, expect, it } from "vitest";
import { Pacer, TokenBucket } from "../../../../src/bot/irc/pacer.js";
import { backoffMs } from "../../../../src/bot/irc/reconnect.js";
import { ManualClock } from "../../../../src/core/clock.js";

describe("pacing lines", () => {
  it("allows a burst, then one line per 1/rate seconds", () => {
    const clock = new ManualClock(0);
    const b = new TokenBucket(4, 2, clock);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([0, 0, 0, 0]);
    // The fifth line waits half a second, the sixth a whole one (tokens are reserved in order).
    expect(b.take()).toBe(500);
    expect(b.take()).toBe(1000);
    clock.advance(1000);
    expect(b.take()).toBe(500);
  });

  it("refills over quiet time, never beyond the burst", () => {
    const clock = new ManualClock(0);
    const b = new TokenBucket(3, 1, clock);
    for (let i = 0; i < 3; i++) b.take();
    clock.advance(60_000);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([0, 0, 0, 1000]);
  });
});

describe("writing a line at once", () => {
  it("writes in the call while a token is free and nothing is queued; the same budget holds", async () => {
    const clock = new ManualClock(0);
    const pacer = new Pacer(new TokenBucket(2, 1, clock));
    const out: string[] = [];
    expect(pacer.writeNow(() => out.push("a"))).toBe(true);
    expect(out).toEqual(["a"]);
    expect(pacer.writeNow(() => out.push("b"))).toBe(true);
    // The burst is spent: nothing written, no token taken (it would otherwise go over the budget).
    expect(pacer.writeNow(() => out.push("c"))).toBe(false);
    expect(out).toEqual(["a", "b"]);
    clock.advance(1000);
    expect(pacer.writeNow(() => out.push("c"))).toBe(true);
    expect(out).toEqual(["a", "b", "c"]);
  });

  it("never overtakes a line queued before it", async () => {
    const pacer = new Pacer(new TokenBucket(10, 10, new ManualClock(0)));
    const out: string[] = [];
    const queued = pacer.write(() => out.push("queued"));
    expect(pacer.writeNow(() => out.push("now"))).toBe(false);
    await queued;
    expect(pacer.writeNow(() => out.push("now"))).toBe(true);
    expect(out).toEqual(["queued", "now"]);
  });
});

describe("reconnect backoff", () => {
  it("doubles from 250 ms to at most 30 s, with jitter of ±50%", () => {
    expect(backoffMs(0, () => 0.5)).toBe(250);
    expect(backoffMs(3, () => 0.5)).toBe(2000);
    expect(backoffMs(50, () => 0.5)).toBe(30_000);
    expect(backoffMs(2, () => 0)).toBe(500);
    expect(backoffMs(2, () => 0.999)).toBeLessThan(1500);
  });
});
