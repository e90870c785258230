import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/announce/announcer.js";
import { deliver } from "../../src/announce/deliver.js";
import { scheduler } from "../../src/announce/lifecycle.js";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { ManualClock, systemClock } from "../../src/clock.js";
import { startTestBot } from "../harness/bot.js";
import { startRedis } from "../harness/servers.js";
import { startWebhookSink } from "../harness/webhook.js";

const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("downtime announcements on a real redis-server", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let hook: Awaited<ReturnType<typeof startWebhookSink>>;
  beforeAll(async () => {
    redis = await startRedis();
    hook = await startWebhookSink();
  });
  afterAll(async () => {
    await hook?.close();
    await redis?.stop();
  });

  it("posts every announcement of the plan to every target exactly once", async () => {
    const irc = new MemoryAdapter("irc", 390, ["#ops"]);
    const console = new MemoryAdapter("console", 390, ["console"]);
    const t = await startTestBot({
      redisUrl: redis.url,
      adapters: [console, irc],
      config: {
        announce: ["console:console", "irc:#ops", `webhook:${hook.url}`],
        webhookSecret: "s3cret",
        // The whole plan compressed into seconds: every slot comes due during the test.
        downtime: {
          window: "2s",
          leadTimes: { mergeCutoff: "3s", reminder: "2500ms", earlyPause: "2s", offTrack: "1s" },
        },
      },
    });
    const mark = hook.hits.length;
    try {
      const start = systemClock.now() + 4000;
      await console.say(`!downtime schedule ${iso(start)} DB deployment`);
      await console.waitFor((m) => m.text.startsWith("Scheduled #1"));
      await console.waitFor((m) => /window ended .* overrunning/.test(m.text), 15_000);
      await sleep(1500);
      const kinds = ["scheduled", "merge-cutoff", "reminder", "early-pause", "start", "off-track", "overrun"];
      const mine = hook.accepted().slice(mark);
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
      await console.say("!downtime done 1");
      await console.waitFor((m) => /Downtime #1 \(DB deployment\) is complete: it took \d/.test(m.text));
      await console.waitFor((m) => m.kind === "topic" && m.text === "");
      await console.say("!downtime list all");
      await console.waitFor((m) => /#1 "DB deployment" done .* took/.test(m.text));
    } finally {
      await t.stop();
    }
  });

  it("refuses a start inside the 4 h notice unless --short-notice, then says it was missed", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 10, 0));
    const t = await startTestBot({ redisUrl: redis.url, clock });
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

  it("move withdraws the old reminders: none of them is posted", async () => {
    const clock = new ManualClock(Date.now());
    const t = await startTestBot({ redisUrl: redis.url, clock });
    try {
      // The 4 h reminder of this start comes due 2 s from now.
      await t.adapter.say(`!downtime schedule ${iso(clock.now() + 4 * H + 2000)} Early`);
      await t.adapter.waitFor((m) => m.text.startsWith("Scheduled #1"));
      await t.adapter.say(`!downtime move 1 ${iso(clock.now() + 10 * H)}`);
      await t.adapter.waitFor((m) => m.text.startsWith("Moved #1"));
      await t.adapter.waitFor((m) => m.kind === "announce" && m.text.includes("moved from"));
      await sleep(3500);
      expect(t.adapter.texts().filter((x) => x.startsWith("Reminder"))).toEqual([]);
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
      await t.adapter.say("!downtime cancel 1 not needed");
      await t.adapter.waitFor(
        (m) => m.kind === "announce" && m.text === "Downtime #1 (Early) is cancelled: not needed.",
      );
      expect(await scheduler(t.services).waitingKeys()).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it("abort moves to a backup 25 h away, and asks for a new window when it is 23 h away", async () => {
    const T0 = Date.UTC(2026, 11, 1, 14, 0);
    const clock = new ManualClock(T0 - 5 * H);
    const t = await startTestBot({ redisUrl: redis.url, clock });
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
    const clock = new ManualClock(Date.now());
    const first = await startTestBot({ redisUrl: redis.url, clock, role: "frontend" });
    const start = clock.now() + 4 * H + 1500;
    await first.adapter.say(`!downtime schedule ${iso(start)} Missed`);
    await first.adapter.waitFor((m) => m.text.startsWith("Scheduled #1"));
    await first.stop();
    // The bot was down past the start of the window: the reminder no longer matters.
    clock.set(start + 60_000);
    await sleep(2000);
    const t = await startTestBot({ redisUrl: redis.url, clock, prefix: first.prefix });
    try {
      const key = `${first.prefix}:announce:mark:dt-1-r1-reminder`;
      for (let i = 0; i < 100 && !(await t.services.redis.get(key)); i++) await sleep(50);
      expect(await t.services.redis.get(key)).toBe("dropped");
      expect(t.adapter.texts().filter((x) => x.includes("Reminder"))).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it("an announcement repeated under the same id is posted once, even after its first delivery was cleaned up", async () => {
    const t = await startTestBot({ redisUrl: redis.url });
    try {
      const outbox = t.services.queues.get("outbox-console");
      await t.services.announcer.announce("only once", { id: "dup-check" });
      await t.adapter.waitFor((m) => m.text === "only once");
      // Enough other messages that the outbox's retention removes the first delivery's job.
      for (let i = 0; i < 520; i++)
        await t.services.outbox.send({
          network: "console",
          target: "console",
          kind: "reply",
          text: `filler ${i}`,
        });
      await t.adapter.waitFor((m) => m.text === "filler 519");
      expect((await outbox.getCompleted(0, 1000)).some((j) => j.id === "dup-check-console_console")).toBe(
        false,
      );
      await t.services.announcer.announce("only once", { id: "dup-check" });
      await t.services.outbox.send({ network: "console", target: "console", kind: "reply", text: "after" });
      await t.adapter.waitFor((m) => m.text === "after");
      expect(t.adapter.texts().filter((x) => x === "only once")).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it("a redelivered announcement job posts nothing the second time", async () => {
    const t = await startTestBot({ redisUrl: redis.url });
    try {
      const a = { key: "redeliver-check", due: Date.now(), mattersUntil: Date.now() + H, text: "once only" };
      const hooks = { stillWanted: async () => true };
      expect(await deliver(t.services, a, hooks)).toBe("posted");
      expect(await deliver(t.services, a, hooks)).toBe("duplicate");
      await t.adapter.waitFor((m) => m.text === "once only");
      await sleep(500);
      expect(t.adapter.texts().filter((x) => x === "once only")).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it("a webhook that fails twice then succeeds gets exactly one delivery", async () => {
    const t = await startTestBot({ redisUrl: redis.url, config: { announce: [`webhook:${hook.url}`] } });
    const mark = hook.hits.length;
    try {
      hook.fail(2);
      await scheduler(t.services).schedule({
        key: "retry-check",
        due: Date.now(),
        mattersUntil: Date.now() + H,
        text: "retry me",
      });
      await hook.waitFor((h) => h.body.text === "retry me" && h.status === 200);
      await sleep(2500);
      const mine = hook.hits.slice(mark);
      expect(mine.map((h) => h.status)).toEqual([503, 503, 200]);
      expect(new Set(mine.map((h) => h.headers["x-changebot-delivery"])).size).toBe(1);
    } finally {
      await t.stop();
    }
  });
});
