import { ANNOUNCE_QUEUE } from "../../src/announce/delayed.js";
import { downtimes } from "../../src/announce/lifecycle.js";
import type { MemoryAdapter } from "../../src/bot/memory.js";
import { ManualClock } from "../../src/core/clock.js";
import { advanceTo, idle } from "../harness/announce-time.js";
import { describe, expect, test } from "../harness/fixtures.js";

/**
 * `!downtime start` against the plan: far ahead of it (before the early-pause
 * slot) it asks for a confirm; an early or late real start moves the window's
 * end and the announcements after the start with it, and none is made twice.
 * Real Redis and BullMQ; the bot's clock is moved by hand.
 */
const M = 60_000;
const H = 60 * M;
const T0 = Date.UTC(2026, 11, 3, 14, 0);
const iso = (t: number) => new Date(t).toISOString();

/** Says a line and waits for the answer that matches. */
async function ask(a: MemoryAdapter, text: string, re: RegExp) {
  const from = a.sent.length;
  await a.say(text);
  return a.waitFor((m) => a.sent.indexOf(m) >= from && re.test(m.text));
}

const announced = (a: MemoryAdapter, re: RegExp) =>
  a.sent.filter((m) => (m.kind === "announce" || m.kind === "alarm") && re.test(m.text));

describe("!downtime start: far ahead of the plan, early, late", () => {
  test("43 hours ahead it asks for a confirm and changes nothing; with --early the window and its announcements start now", async ({
    bot,
  }) => {
    const clock = new ManualClock(T0 - 50 * H);
    const t = await bot({ clock });
    const a = t.adapter;
    const q = t.services.queues;
    await ask(a, `!downtime schedule ${iso(T0)} DB deployment`, /^Scheduled #1/);
    clock.set(T0 - 43 * H);
    const asked = await ask(a, "!downtime start 1", /Nothing was changed/);
    expect(asked.text).toBe(
      "Downtime #1 (DB deployment) is planned for 2026-12-03 14:00 UTC (in 1d 19h); services may begin pausing only from 2026-12-03 13:30 UTC. Starting it now begins its 1h 30m window 1d 19h early, ending 2026-12-01 20:30 UTC. Nothing was changed. To start it anyway: !downtime start 1 --early",
    );
    expect((await downtimes(t.services).get(1))?.status).toBe("scheduled");
    expect(announced(a, /has started/)).toEqual([]);
    expect(a.sent.some((m) => m.kind === "topic" && m.text === "Downtime in progress")).toBe(false);

    const started = await ask(a, "!downtime start 1 --early", /^Started #1/);
    expect(started.text).toMatch(/window ends 2026-12-01 20:30 UTC/);
    await a.waitFor((m) =>
      /has started \(2026-12-01 19:00 UTC, 1d 19h before the planned 2026-12-03 14:00 UTC\)\. The window now ends 2026-12-01 20:30 UTC\./.test(
        m.text,
      ),
    );
    // The announcements after the start are due from the real start; the ones before it are gone.
    const now = T0 - 43 * H;
    expect(await advanceTo(clock, q, now + 29 * M)).toEqual([]);
    expect(await advanceTo(clock, q, now + 30 * M)).toEqual(["dt-1-r2-off-track"]);
    expect(await advanceTo(clock, q, now + 90 * M)).toEqual(["dt-1-r2-overrun"]);
    await a.waitFor((m) => m.kind === "alarm" && /window ended at 20:30 UTC .* overrunning/.test(m.text));
    expect(await advanceTo(clock, q, T0 + 3 * H)).toEqual([]);
    await idle(q.get(ANNOUNCE_QUEUE));
    expect(announced(a, /Reminder|merge cut-off|may begin pausing|has begun/)).toEqual([]);
    expect(announced(a, /overrunning/)).toHaveLength(1);
  });

  test("a 2 h window started 20 min late ends 20 min later, and its off-track and overrun announcements move with it", async ({
    bot,
  }) => {
    const clock = new ManualClock(T0 - 5 * H);
    const t = await bot({ clock });
    const a = t.adapter;
    const q = t.services.queues;
    await ask(a, `!downtime schedule ${iso(T0)} window=2h Late`, /^Scheduled #1/);
    await advanceTo(clock, q, T0);
    await a.waitFor((m) => /has begun/.test(m.text));
    clock.set(T0 + 20 * M);
    await ask(a, "!downtime start 1", /^Started #1/);
    await a.waitFor((m) => /The window now ends 2026-12-03 16:20 UTC\./.test(m.text));
    const list = await ask(a, "!downtime list", /^#1/);
    expect(list.text).toMatch(/window ends 2026-12-03 16:20 UTC/);
    expect(await advanceTo(clock, q, T0 + 30 * M)).toEqual([]);
    expect(await advanceTo(clock, q, T0 + 50 * M)).toEqual(["dt-1-r2-off-track"]);
    expect(await advanceTo(clock, q, T0 + 2 * H)).toEqual([]);
    expect(await advanceTo(clock, q, T0 + 2 * H + 20 * M)).toEqual(["dt-1-r2-overrun"]);
    await a.waitFor((m) => m.kind === "alarm" && /window ended at 16:20 UTC/.test(m.text));
    expect(announced(a, /is 30m in/)).toHaveLength(1);
    expect(announced(a, /overrunning/)).toHaveLength(1);
  });

  test("an announcement already made is not made again: started after the off-track moment, only the end moves", async ({
    bot,
  }) => {
    const clock = new ManualClock(T0 - 5 * H);
    const t = await bot({ clock });
    const a = t.adapter;
    const q = t.services.queues;
    await ask(a, `!downtime schedule ${iso(T0)} Later`, /^Scheduled #1/);
    await advanceTo(clock, q, T0 + 30 * M);
    await a.waitFor((m) => /is 30m in/.test(m.text));
    clock.set(T0 + 40 * M);
    await ask(a, "!downtime start 1", /^Started #1/);
    expect(await advanceTo(clock, q, T0 + 70 * M)).toEqual([]);
    expect(await advanceTo(clock, q, T0 + 90 * M)).toEqual([]);
    expect(await advanceTo(clock, q, T0 + 130 * M)).toEqual(["dt-1-r2-overrun"]);
    await a.waitFor((m) => m.kind === "alarm" && /window ended at 16:10 UTC/.test(m.text));
    expect(announced(a, /is 30m in/)).toHaveLength(1);
  });
});
