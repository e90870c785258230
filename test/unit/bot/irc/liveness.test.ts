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
    clock.advance(5000);
    await l.ready();
    expect(pings).toEqual([]);
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
    // Counted from when the PING was sent.
    clock.advance(5000);
    await l.ready();
    expect(pings).toHaveLength(1);
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
