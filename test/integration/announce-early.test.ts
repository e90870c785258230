import type { Job, Queue } from "bullmq";
import { describe, expect } from "vitest";
import { ANNOUNCE_QUEUE, EARLY_MS, type ScheduledAnnouncement } from "../../src/announce/delayed.js";
import { scheduler } from "../../src/announce/lifecycle.js";
import { ManualClock } from "../../src/core/clock.js";
import { eventually } from "../harness/eventually.js";
import { test } from "../harness/fixtures.js";

const H = 3_600_000;
const T = Date.UTC(2026, 11, 3, 10, 0);

/**
 * An announcement's job comes due EARLY_MS before it (BullMQ hands a delayed job
 * over up to ~100 ms late), and the worker holds it until its time on the bot's
 * clock. Here the clock is moved by hand, so what is held and when it is let go
 * is the test's to say.
 */
describe("announcements taken early and posted at their time", () => {
  const state = async (job: Job | undefined) => (job ? await job.getState() : "missing");
  /** Waits until the announcement's job is in this state. */
  const reaches = (queue: Queue, id: string, want: string) =>
    eventually(async () => (await state(await queue.getJob(id))) === want, `${id} to be ${want}`);

  test("one taken early is held, still listed as waiting, and posted once when its time comes", async ({
    bot,
  }) => {
    const clock = new ManualClock(T);
    const t = await bot({ clock });
    const sched = scheduler(t.services);
    const queue = t.services.queues.get(ANNOUNCE_QUEUE);
    const a: ScheduledAnnouncement = { key: "held-1", due: T + 100, mattersUntil: T + H, text: "on time" };
    await sched.schedule(a);
    // Due in 100 ms of the bot's clock, so its job is due at once and taken: held.
    await reaches(queue, "held-1", "active");
    expect(await sched.waitingKeys()).toEqual(["held-1"]);
    expect(t.adapter.texts()).not.toContain("on time");
    clock.advance(99);
    expect(await state(await queue.getJob("held-1"))).toBe("active");
    clock.advance(1);
    await t.adapter.waitFor((m) => m.kind === "announce" && m.text === "on time");
    await reaches(queue, "held-1", "completed");
    expect((await queue.getJob("held-1"))?.returnvalue).toBe("posted");
    expect(await sched.waitingKeys()).toEqual([]);
    expect(t.adapter.texts().filter((x) => x === "on time")).toHaveLength(1);
  });

  test("a held reminder whose downtime is cancelled meanwhile is not posted", async ({ bot }) => {
    const start = T + 50 * H;
    const clock = new ManualClock(T);
    const t = await bot({ clock });
    const queue = t.services.queues.get(ANNOUNCE_QUEUE);
    await t.adapter.say(`!downtime schedule ${new Date(start).toISOString()} DB deployment`);
    await t.adapter.waitFor((m) => m.text.startsWith("Scheduled #1"));
    // The 4 h reminder, handed over EARLY_MS before its time as BullMQ's timer would.
    clock.set(start - 4 * H - EARLY_MS);
    const job = await queue.getJob("dt-1-r1-reminder");
    await job!.promote();
    await reaches(queue, "dt-1-r1-reminder", "active");
    await t.adapter.say("!downtime cancel 1 vendor not ready");
    await t.adapter.waitFor((m) => /cancel/i.test(m.text) && m.kind !== "announce");
    clock.set(start - 4 * H);
    await reaches(queue, "dt-1-r1-reminder", "completed");
    expect((await queue.getJob("dt-1-r1-reminder"))?.returnvalue).toBe("stale");
    expect(t.adapter.texts().filter((x) => x.startsWith("Reminder:"))).toEqual([]);
  });

  test("one taken far before its time (promoted by hand) goes back to wait, unposted", async ({ bot }) => {
    const clock = new ManualClock(T);
    const t = await bot({ clock });
    const sched = scheduler(t.services);
    const queue = t.services.queues.get(ANNOUNCE_QUEUE);
    await sched.schedule({ key: "too-soon", due: T + H, mattersUntil: T + 2 * H, text: "not yet" });
    const job = await queue.getJob("too-soon");
    await job!.promote();
    // Taken, found an hour early, and put back: delayed again, to come due EARLY_MS before its time.
    await eventually(async () => {
      const j = await queue.getJob("too-soon");
      return j?.attemptsStarted === 1 && (await state(j)) === "delayed";
    }, "too-soon to be taken and put back");
    // Its delay is real time (BullMQ's): an hour less EARLY_MS, less what this test took so far.
    const back = await queue.getJob("too-soon");
    expect(back!.delay).toBeGreaterThan(H - 2 * EARLY_MS - 60_000);
    expect(back!.delay).toBeLessThanOrEqual(H - EARLY_MS);
    expect(t.adapter.texts()).not.toContain("not yet");
    expect(await sched.waitingKeys()).toEqual(["too-soon"]);
  });
});
