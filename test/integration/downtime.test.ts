import { describe, expect, it } from "vitest";
import { signWebhook } from "../../src/announce/announcer.js";
import { ANNOUNCE_QUEUE, EARLY_MS } from "../../src/announce/delayed.js";
import { scheduler } from "../../src/announce/lifecycle.js";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { ManualClock } from "../../src/core/clock.js";
import { WEBHOOK_QUEUE } from "../../src/infra/queues.js";
import { advanceTo, idle, runDue } from "../harness/announce-time.js";
import { startTestBot } from "../harness/bot.js";
import { redisAndWebhook } from "../harness/webhook.js";

const M = 60_000;
const H = 60 * M;
const iso = (t: number) => new Date(t).toISOString();

describe("downtime announcements on a real redis-server", () => {
  const w = redisAndWebhook();

  it("posts every announcement of the plan to every target exactly once, each at its due time", async () => {
    const irc = new MemoryAdapter("irc", 390, ["#ops"]);
    const console = new MemoryAdapter("console", 390, ["console"]);
    const T0 = Date.UTC(2026, 11, 3, 14, 0);
    const clock = new ManualClock(T0 - 50 * H);
    const t = await startTestBot({
      redisUrl: w.redis.url,
      clock,
      adapters: [console, irc],
      config: {
        // The irc network is the MemoryAdapter above; the config names it so "irc:#ops" is a valid target.
        networks: {
          console: { user: "tester", channel: "console" },
          irc: { host: "127.0.0.1", tls: false, channels: ["#ops"] },
        },
        announce: ["console:console", "irc:#ops", `webhook:${w.hook.url}`],
        webhookSecret: "s3cret",
      },
    });
    const q = t.services.queues;
    const mark = w.hook.hits.length;
    try {
      await console.say(`!downtime schedule ${iso(T0)} DB deployment`);
      await console.waitFor((m) => m.text.startsWith("Scheduled #1"));
      await w.hook.waitFor((h) => h.body.kind === "downtime-scheduled");
      // Promoting below stands in for BullMQ's own timer: each job comes due EARLY_MS before its
      // announcement's due time on the bot's clock (the worker holds it until then).
      const delayed = await q.get(ANNOUNCE_QUEUE).getDelayed();
      expect(delayed).toHaveLength(6);
      for (const j of delayed) expect(j.delay, String(j.id)).toBe(j.data.due - EARLY_MS - (T0 - 50 * H));
      // The default plan of a 90-minute window, walked through on the bot's clock.
      const plan: [string, number][] = [
        ["merge-cutoff", T0 - 48 * H],
        ["reminder", T0 - 4 * H],
        ["early-pause", T0 - 30 * M],
        ["start", T0],
        ["off-track", T0 + 30 * M],
        ["overrun", T0 + 90 * M],
      ];
      for (const [kind, due] of plan) {
        // A minute before its due time nothing is posted; at its due time exactly this one is.
        expect(await advanceTo(clock, q, due - M), kind).toEqual([]);
        expect(await advanceTo(clock, q, due), kind).toEqual([`dt-1-r1-${kind}`]);
        const hit = await w.hook.waitFor((h) => h.body.kind === `downtime-${kind}`);
        expect(hit.body.late, kind).toBe(false);
        expect(hit.body.due, kind).toBe(iso(due));
        for (const a of [console, irc]) await a.waitFor((m) => m.text === hit.body.text);
      }
      await console.waitFor((m) => m.kind === "alarm" && /window ended .* overrunning/.test(m.text));
      // Nothing left that could post again: every queue on the way to a target is empty.
      for (const name of [ANNOUNCE_QUEUE, WEBHOOK_QUEUE, "outbox-console", "outbox-irc"])
        await idle(q.get(name));
      const kinds = ["scheduled", ...plan.map(([k]) => k)];
      const mine = w.hook.accepted().slice(mark);
      for (const kind of kinds) {
        expect(
          mine.filter((h) => h.body.kind === `downtime-${kind}`),
          kind,
        ).toHaveLength(1);
      }
      expect(mine).toHaveLength(kinds.length);
      for (const h of mine) {
        const ts = String(h.headers["x-changebot-timestamp"]);
        expect(h.headers["x-changebot-signature"]).toBe(signWebhook("s3cret", ts, h.raw));
      }
      for (const a of [console, irc]) {
        const anns = a.sent.filter((m) => m.kind === "announce" || m.kind === "alarm");
        expect(anns.map((m) => m.text)).toEqual(mine.map((h) => h.body.text));
      }
      expect(console.topics.get("console")).toBe("Downtime in progress");
      clock.advance(7 * M);
      await console.say("!downtime done 1");
      await console.waitFor((m) => /Downtime #1 \(DB deployment\) is complete: it took 1h 37m/.test(m.text));
      await console.waitFor((m) => m.kind === "topic" && m.text === "");
      await console.say("!downtime list all");
      await console.waitFor((m) => /#1 "DB deployment" done .* took 1h 37m/.test(m.text));
    } finally {
      await t.stop();
    }
  });

  it("refuses a start inside the 4 h notice unless --short-notice, then says it was missed", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10, 0));
    const t = await startTestBot({ redisUrl: w.redis.url, clock });
    try {
      await t.adapter.say("!downtime schedule 2026-12-01 13:00 UTC");
      await t.adapter.waitFor((m) =>
        /2026-12-01 13:00 UTC \(in 3h\) is less than 4h away.*--short-notice/.test(m.text),
      );
      await t.adapter.say("!downtime schedule 2026-12-01 13:00 UTC --short-notice");
      const r = await t.adapter.waitFor((m) => m.text.startsWith("Scheduled #1"));
      expect(r.text).toContain("2026-12-01 13:00 UTC (in 3h)");
      expect(r.text).toContain("the 4h notice was missed");
      expect(r.text).toMatch(/Already past, not announced: merge-cutoff, reminder/);
      await t.adapter.waitFor((m) => m.kind === "announce" && m.text.includes("the 4h notice was missed"));
      expect(await scheduler(t.services).waitingKeys()).toEqual(
        expect.arrayContaining(["dt-1-r1-early-pause", "dt-1-r1-start"]),
      );
      // Moving a window from well ahead to inside the 4 h notice needs the flag too.
      await t.adapter.say("!downtime schedule 2026-12-01 20:00 Europe/London Later");
      await t.adapter.waitFor((m) => m.text.startsWith('Scheduled #2 "Later" 2026-12-01 20:00 UTC (in 10h)'));
      await t.adapter.say("!downtime move 2 2026-12-01 12:00 UTC");
      await t.adapter.waitFor((m) => m.text.includes("2026-12-01 12:00 UTC (in 2h) is less than 4h away"));
      await t.adapter.say("!downtime move 2 2026-12-01 12:00 UTC --short-notice");
      const moved = await t.adapter.waitFor((m) => m.text.startsWith("Moved #2"));
      expect(moved.text).toContain("the 4h notice was missed");
    } finally {
      await t.stop();
    }
  });

  it("move withdraws the old reminders and cancel the rest: none of them is posted", async () => {
    const base = Date.UTC(2026, 11, 1, 8, 0);
    const clock = new ManualClock(base);
    const t = await startTestBot({ redisUrl: w.redis.url, clock });
    const q = t.services.queues;
    const announced = () => t.adapter.sent.filter((m) => m.kind === "announce" || m.kind === "alarm");
    try {
      // First planned for 14:00 (reminder due 10:00), then moved to 18:00 (reminder due 14:00).
      await t.adapter.say(`!downtime schedule ${iso(base + 6 * H)} Early`);
      await t.adapter.waitFor((m) => m.text.startsWith("Scheduled #1"));
      await t.adapter.say(`!downtime move 1 ${iso(base + 10 * H)}`);
      await t.adapter.waitFor((m) => m.text.startsWith("Moved #1"));
      await t.adapter.waitFor((m) => m.kind === "announce" && m.text.includes("moved from"));
      const waiting = await scheduler(t.services).waitingKeys();
      expect(waiting.filter((k) => k.startsWith("dt-1-r1-"))).toEqual([]);
      expect(waiting.filter((k) => k.startsWith("dt-1-r2-")).sort()).toEqual(
        [
          "dt-1-r2-early-pause",
          "dt-1-r2-off-track",
          "dt-1-r2-overrun",
          "dt-1-r2-reminder",
          "dt-1-r2-start",
        ].sort(),
      );
      const beforeOld = announced().length;
      // Past the old reminder (10:00) and the old early-pause notice (13:30): nothing comes due.
      expect(await advanceTo(clock, q, base + 5 * H + 45 * M)).toEqual([]);
      // At 14:00 only the new reminder does, naming the new start.
      expect(await advanceTo(clock, q, base + 6 * H)).toEqual(["dt-1-r2-reminder"]);
      await t.adapter.waitFor((m) =>
        m.text.startsWith("Reminder: Downtime #1 (Early) starts 2026-12-01 18:00 UTC"),
      );
      // Past the old start, off-track check and overrun (14:00–15:30): still nothing of the old plan.
      expect(await advanceTo(clock, q, base + 7 * H + 31 * M)).toEqual([]);
      await idle(q.get("outbox-console"));
      expect(
        announced()
          .slice(beforeOld)
          .map((m) => m.text),
      ).toEqual([
        "Reminder: Downtime #1 (Early) starts 2026-12-01 18:00 UTC (in 4h), window 2026-12-01 18:00 UTC–19:30 UTC (1h 30m).",
      ]);

      await t.adapter.say("!downtime cancel 1 not needed");
      await t.adapter.waitFor(
        (m) => m.kind === "announce" && m.text === "Downtime #1 (Early) is cancelled: not needed.",
      );
      expect(await scheduler(t.services).waitingKeys()).toEqual([]);
      const afterCancel = announced().length;
      // Past the whole cancelled plan (its overrun alarm was due 19:30): nothing runs, nothing is posted.
      expect(await advanceTo(clock, q, base + 12 * H)).toEqual([]);
      await idle(q.get(ANNOUNCE_QUEUE));
      await idle(q.get("outbox-console"));
      expect(announced().slice(afterCancel)).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it("abort moves to a backup 25 h away, and asks for a new window when it is 23 h away", async () => {
    const T0 = Date.UTC(2026, 11, 1, 14, 0);
    const clock = new ManualClock(T0 - 5 * H);
    const t = await startTestBot({ redisUrl: w.redis.url, clock });
    try {
      await t.adapter.say(`!downtime schedule ${iso(T0)} backup=${iso(T0 + 25 * H)} A`);
      await t.adapter.say(`!downtime schedule ${iso(T0)} backup=${iso(T0 + 23 * H)} B`);
      await t.adapter.waitFor((m) => m.text.startsWith("Scheduled #2"));
      clock.set(T0);
      await t.adapter.say("!downtime start 1");
      await t.adapter.waitFor((m) => m.text.startsWith("Started #1"));
      await t.adapter.waitFor(
        (m) => m.kind === "announce" && /#1 \(A\) has started \(2026-12-01 14:00 UTC, on time\)/.test(m.text),
      );
      await t.adapter.waitFor((m) => m.kind === "topic" && m.text === "Downtime in progress");
      await t.adapter.say("!downtime abort 1 off track");
      await t.adapter.waitFor((m) =>
        /Aborted; moved to the backup window: #1 "A" 2026-12-02 15:00 UTC \(in 1d 1h\)/.test(m.text),
      );
      await t.adapter.waitFor((m) => m.kind === "topic" && m.text === "");
      await t.adapter.waitFor(
        (m) =>
          m.kind === "announce" &&
          /#1 \(A\) is aborted: off track\. Next attempt: the backup window/.test(m.text),
      );
      await t.adapter.say("!downtime abort 2");
      await t.adapter.waitFor((m) =>
        /The backup window 2026-12-02 13:00 UTC \(in 23h\) is less than 1d away.*from 2026-12-02 14:00 UTC/.test(
          m.text,
        ),
      );
      expect((await scheduler(t.services).waitingKeys()).filter((k) => k.startsWith("dt-2-"))).toEqual([]);
      await t.adapter.say(`!downtime move 2 ${iso(T0 + 23 * H)}`);
      await t.adapter.waitFor((m) => /next attempt needs 1d notice/.test(m.text));
      await t.adapter.say(`!downtime move 2 ${iso(T0 + 26 * H)}`);
      const moved = await t.adapter.waitFor((m) => m.text.startsWith("Moved #2"));
      expect(moved.text).toMatch(/Already past, not announced: merge-cutoff/);
      expect(
        (await scheduler(t.services).waitingKeys()).filter((k) => k.startsWith("dt-2-r3-")),
      ).toHaveLength(5);
    } finally {
      await t.stop();
    }
  });

  it("drops a reminder that came due while the bot was down once its moment (T0) has passed", async () => {
    const T0 = Date.UTC(2026, 11, 1, 14, 0);
    const clock = new ManualClock(T0 - 5 * H);
    const first = await startTestBot({ redisUrl: w.redis.url, clock, role: "frontend" });
    await first.adapter.say(`!downtime schedule ${iso(T0)} Missed`);
    await first.adapter.waitFor((m) => m.text.startsWith("Scheduled #1"));
    await first.stop();
    // The bot was down past the start of the window: the reminder no longer matters.
    clock.set(T0 + M);
    const t = await startTestBot({ redisUrl: w.redis.url, clock, prefix: first.prefix });
    try {
      const ran = await runDue(t.services.queues, clock.now());
      expect(ran).toEqual(["dt-1-r1-reminder", "dt-1-r1-early-pause", "dt-1-r1-start"]);
      const mark = (slot: string) => t.services.redis.get(`${first.prefix}:announce:mark:dt-1-r1-${slot}`);
      expect(await mark("reminder")).toBe("dropped");
      expect(await mark("early-pause")).toBe("dropped");
      // The start still matters during the window: it is posted, a minute late (under lateAfter, so unmarked).
      expect(await mark("start")).toBe("posted");
      await t.adapter.waitFor(
        (m) => m.kind === "announce" && m.text.startsWith("Downtime #1 (Missed) has begun"),
      );
      await idle(t.services.queues.get("outbox-console"));
      expect(t.adapter.texts().filter((x) => x.includes("Reminder"))).toEqual([]);
      expect(t.adapter.texts().filter((x) => x.includes("begin pausing"))).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
