import { describe, expect, it } from "vitest";
import { Liveness } from "../../../../src/bot/irc/liveness.js";
import { ManualClock } from "../../../../src/core/clock.js";

describe("Liveness", () => {
  const setup = () => {
    const clock = new ManualClock(1_000_000);
    const pings: string[] = [];
    const l = new Liveness(clock, 5000, (t) => pings.push(t));
    return { clock, pings, l };
  };

  it("lets lines through while our last PING was answered within the quiet time", async () => {
    const { clock, pings, l } = setup();
    clock.advance(2500);
    await l.ready();
    expect(pings).toEqual([]);
    clock.advance(2500);
    await l.ready();
    // Past half the quiet time, a PING goes out beside the line (which did not wait for it).
    expect(pings).toEqual(["changebot-alive-1005000"]);
  });

  it("says a line may go at once without a promise (wait() is undefined), and hands one out when it must wait", async () => {
    const { clock, pings, l } = setup();
    clock.advance(1000);
    expect(l.wait()).toBeUndefined();
    clock.advance(5000);
    const held = l.wait();
    expect(held).toBeInstanceOf(Promise);
    expect(pings).toEqual(["changebot-alive-1006000"]);
    l.pong("changebot-alive-1006000");
    await held;
    expect(l.wait()).toBeUndefined();
    l.close();
    await expect(l.wait()).rejects.toThrow(/disconnected/);
  });

  it("under steady traffic, PINGs sent ahead keep the confirmation fresh: no line ever waits", async () => {
    const { clock, pings, l } = setup();
    let waited = 0;
    for (let i = 0; i < 200; i++) {
      clock.advance(100); // a line every 100 ms for 20 s
      let passed = false;
      const r = l.ready().then(() => {
        passed = true;
      });
      await Promise.resolve();
      if (!passed) waited++;
      await r;
      // The server answers each PING within the same 100 ms.
      const last = pings.at(-1);
      if (last) l.pong(last);
    }
    expect(waited).toBe(0);
    // One PING per half quiet time or so, not one per line.
    expect(pings.length).toBeGreaterThanOrEqual(6);
    expect(pings.length).toBeLessThanOrEqual(10);
  });

  it("a PING sent ahead and never answered holds the lines once the quiet time has passed", async () => {
    const { clock, pings, l } = setup();
    clock.advance(3000);
    await l.ready();
    expect(pings).toEqual(["changebot-alive-1003000"]);
    clock.advance(2001); // its PONG never came: the server went silent
    let passed = false;
    const held = l.ready().then(() => {
      passed = true;
    });
    await Promise.resolve();
    expect(passed).toBe(false);
    // No second PING while the first is unanswered; its late PONG lets the line go.
    expect(pings).toHaveLength(1);
    l.pong("changebot-alive-1003000");
    await held;
    expect(passed).toBe(true);
  });

  it("after a quiet spell, holds lines until the PONG to its own PING, sending one PING for all", async () => {
    const { clock, pings, l } = setup();
    clock.advance(5001);
    let passed = 0;
    const a = l.ready().then(() => passed++);
    const b = l.ready().then(() => passed++);
    expect(pings).toEqual(["changebot-alive-1005001"]);
    // A PONG to someone else's PING (irc-framework's own, from before) proves nothing.
    l.pong("1004000");
    await Promise.resolve();
    expect(passed).toBe(0);
    l.pong("changebot-alive-1005001");
    await Promise.all([a, b]);
    expect(passed).toBe(2);
    // Counted from when the PING was sent: 5 s later a line passes (with a PING beside it).
    clock.advance(5000);
    await l.ready();
    expect(pings).toEqual(["changebot-alive-1005001", "changebot-alive-1010001"]);
  });

  it("a close makes the waiting lines fail, so the outbox sends them on the next connection", async () => {
    const { clock, l } = setup();
    clock.advance(6000);
    const held = l.ready();
    l.close();
    await expect(held).rejects.toThrow(/closed while the server was silent/);
    await expect(l.ready()).rejects.toThrow(/disconnected/);
  });
});
