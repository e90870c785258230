import { runbooksOf } from "../../src/config/runbook-load.js";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
import { tickRunbooks } from "../../src/domain/runbook/tick.js";
import { runDue } from "../harness/announce-time.js";
import { eventually } from "../harness/eventually.js";
import { afterAll, beforeAll, describe, expect, test } from "../harness/fixtures.js";
import { ask, CREW, driveToEnd, okServer, startRunbookBot } from "../harness/runbook-driver.js";

const M = 60_000;
const H = 60 * M;
const ID = "launchpad-db-deployment";

/** What every view of the change should say after a step: RC mode on or off, the downtime's state. */
interface Truth {
  rc: boolean;
  downtime: "scheduled" | "in progress" | "done";
}

/** The step after which the truth changes, and what it becomes. */
const CHANGES: Record<string, Partial<Truth>> = {
  "rc-on": { rc: true },
  "rc-mode-off": { rc: false },
  "downtime-start": { downtime: "in progress" },
  "downtime-end": { downtime: "done" },
};

describe("a DB deployment run bound to its scheduled downtime", () => {
  let http: Awaited<ReturnType<typeof okServer>>;
  beforeAll(async () => {
    http = await okServer();
  });
  afterAll(async () => {
    await http?.close();
  });

  test("!downtime list, !rc-mode and the topic agree after every step; slipping past offTrack alarms once", {
    timeout: 90_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await startRunbookBot(bot, sshd);
    const { clock, adapter, services: s } = t;
    const rb = runbooksOf(s.config).runbooks.get(ID)!;
    const run = async () => (await getRun(s, runKey(s, "console", "console", ID)))!;
    const T0 = clock.now() + 5 * H;
    await ask(adapter, `!downtime schedule ${new Date(T0).toISOString()} DB deployment`, CREW.lead, (m) =>
      m.text.startsWith("Scheduled #1"),
    );

    // Bad bindings are refused before a run exists, saying why.
    const none = await ask(adapter, `!migrate start ${ID} revision=10381 downtime=7`, CREW.lead, (m) =>
      m.text.includes("downtime=7"),
    );
    expect(none.text).toContain("there is no downtime #7");
    expect(await getRun(s, runKey(s, "console", "console", ID))).toBeUndefined();

    const plan = await ask(
      adapter,
      `!migrate start ${ID} revision=10381 site_url=${http.url} downtime=1`,
      CREW.lead,
      (m) => m.text.includes("run #"),
    );
    // The planned total and the downtime between the markers, one line.
    expect(plan.text.split("\n")[1]).toBe("plan: 8h 19m in all, 1h of downtime");
    expect((await run()).downtime.linked).toBe(1);

    const truth: Truth = { rc: false, downtime: "scheduled" };
    const agree = async (after: string) => {
      const list = await ask(adapter, "!downtime list all", CREW.nobody, (m) =>
        m.text.startsWith(`#1 "DB deployment"`),
      );
      const rc = await ask(adapter, "!rc-mode", CREW.nobody, (m) => m.text.startsWith("RC mode"));
      const topic = adapter.topics.get("console") ?? "";
      const shown = list.text.includes("in progress since")
        ? "in progress"
        : / done /.test(list.text)
          ? "done"
          : "scheduled";
      expect({ after, downtime: shown, rc: rc.text.startsWith("RC mode is ON") }).toEqual({
        after,
        ...truth,
      });
      expect({ after, topicRc: topic.includes("PQM in RC mode") }).toEqual({ after, topicRc: truth.rc });
      expect({ after, topicDown: topic.includes("Downtime in progress") }).toEqual({
        after,
        topicDown: truth.downtime === "in progress",
      });
    };
    await agree("start");

    const d = { services: s, adapter, clock };
    const rollout = rb.steps.findIndex((x) => x.id === "rollout");
    for (let i = 0; i < rollout; i++) {
      // The downtime's own announcements come at their times; the run starts the downtime a minute early.
      if (rb.steps[i]!.id === "pause-warning") clock.set(T0 - M);
      await driveToEnd(d, ID, { from: i, stopBefore: rb.steps[i + 1]!.id });
      Object.assign(truth, CHANGES[rb.steps[i]!.id] ?? {});
      await agree(rb.steps[i]!.id);
    }
    const since = (await run()).downtime.start!;
    expect(since).toBeGreaterThan(T0 - 2 * M);

    // The rollout (planned 1h, offTrack 30m): confirmed by a second LOSA, then under way.
    await adapter.say("!migrate next", CREW.engineer);
    await eventually(async () => (await run()).steps[rollout]!.status === "awaiting-confirm", "confirm");
    await adapter.say("!migrate confirm", CREW.losa2);
    await eventually(async () => (await run()).steps[rollout]!.status === "awaiting-ack", "rollout");
    const alarms = () => adapter.sent.filter((m) => m.text.startsWith("OFF TRACK"));

    // 1h25m in: 25m over the rollout's estimate, within offTrack. No alarm.
    clock.set(since + 85 * M);
    await tickRunbooks(s);
    expect(alarms()).toEqual([]);
    const page = async () => (await fetch(`${t.bot.web!.url}/runs/${ID}-1`)).text();
    expect(await page()).toContain("now <strong>25m behind</strong> the plan");
    expect(await page()).not.toContain("OFF TRACK");
    const status = await ask(adapter, "!migrate status", CREW.engineer, (m) => m.text.includes("run #1"));
    expect(status.text).toContain("Plan: 25m behind the estimates (the alarm comes past 30m behind)");
    // 1h35m in: 35m behind the plan. The alarm, with the runbook's abort rule.
    clock.set(since + 95 * M);
    await tickRunbooks(s);
    await eventually(() => alarms().length === 1, "the off-track alarm");
    const alarm = alarms()[0]!;
    expect(alarm.kind).toBe("alarm");
    expect(alarm.text).toContain(`${ID} run #1 is 35m behind its plan, more than the 30m allowed`);
    expect(alarm.text).toContain("Abort the rollout if it can still be aborted");
    expect(alarm.text).toContain("!downtime abort 1");
    // The run page says so too, with the rule.
    expect(await page()).toMatch(
      /id="off-track"><strong>OFF TRACK<\/strong> since .*Abort the rollout if it can still be aborted/,
    );
    // Once: later ticks, further behind, stay quiet.
    clock.set(since + 120 * M);
    await tickRunbooks(s);
    await tickRunbooks(s);
    // The downtime's fixed T0+30m off-track announcement gives way to the measured one; the overrun still comes.
    await runDue(s.queues, clock.now());
    await eventually(() => adapter.texts().some((x) => x.includes("it is overrunning")), "overrun");
    expect(adapter.texts().filter((x) => x.includes("is 30m in"))).toEqual([]);
    expect(alarms()).toHaveLength(1);
    expect((await run()).downtime.offTrackAt).toBe(since + 95 * M);

    await adapter.say("!migrate ack done", CREW.losa);
    await eventually(async () => (await run()).cursor > rollout, "the rollout acked");
    await agree("rollout");
    for (let i = rollout + 1; i < rb.steps.length; i++) {
      await driveToEnd(d, ID, { from: i, stopBefore: rb.steps[i + 1]?.id });
      Object.assign(truth, CHANGES[rb.steps[i]!.id] ?? {});
      await agree(rb.steps[i]!.id);
    }
    expect((await run()).status).toBe("finished");
    expect(alarms()).toHaveLength(1);
    const log = await ask(adapter, "!downtime list all", CREW.nobody, (m) =>
      m.text.startsWith(`#1 "DB deployment"`),
    );
    expect(log.text).toMatch(/^#1 "DB deployment" done/);
  });

  test("a bound downtime whose planned start passes before the run's marker stays scheduled, without its topic, until the marker", {
    timeout: 90_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await startRunbookBot(bot, sshd);
    const { clock, adapter, services: s } = t;
    const rb = runbooksOf(s.config).runbooks.get(ID)!;
    const T0 = clock.now() + 5 * H;
    await ask(adapter, `!downtime schedule ${new Date(T0).toISOString()} DB deployment`, CREW.lead, (m) =>
      m.text.startsWith("Scheduled #1"),
    );
    await ask(adapter, `!migrate start ${ID} revision=1 site_url=${http.url} downtime=1`, CREW.lead, (m) =>
      m.text.includes("run #"),
    );
    // T0 comes while the run is still before its downtime-start marker: every announcement due by then is run.
    clock.set(T0 + M);
    // The start slot's job runs (its hook would set the topic before posting) and says nothing.
    expect(await runDue(s.queues, clock.now())).toContain("dt-1-r1-start");
    expect(adapter.topics.get("console") ?? "").not.toContain("Downtime in progress");
    // The channel's messages keep their order: anything posted before this answer is in by now.
    const list = await ask(adapter, "!downtime list all", CREW.nobody, (m) =>
      m.text.startsWith(`#1 "DB deployment"`),
    );
    expect(list.text).not.toContain("in progress");
    expect(adapter.texts().filter((x) => x.includes("has begun"))).toEqual([]);
    // The run's marker starts it (late), and from then on all three say so.
    const d = { services: s, adapter, clock };
    const marker = rb.steps.findIndex((x) => x.kind === "downtime-start");
    await driveToEnd(d, ID, { stopBefore: rb.steps[marker + 1]!.id });
    expect(adapter.topics.get("console") ?? "").toContain("Downtime in progress");
    const after = await ask(adapter, "!downtime list all", CREW.nobody, (m) =>
      m.text.startsWith(`#1 "DB deployment" in progress`),
    );
    expect(after.text).toContain("in progress since");
  });

  test("within the plan no alarm; undoing the markers puts the downtime back", {
    timeout: 90_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await startRunbookBot(bot, sshd);
    const { clock, adapter, services: s } = t;
    const rb = runbooksOf(s.config).runbooks.get(ID)!;
    const run = async () => (await getRun(s, runKey(s, "console", "console", ID)))!;
    const T0 = clock.now() + 5 * H;
    await ask(adapter, `!downtime schedule ${new Date(T0).toISOString()} DB deployment`, CREW.lead, (m) =>
      m.text.startsWith("Scheduled #1"),
    );
    await ask(adapter, `!migrate start ${ID} revision=1 site_url=${http.url} downtime=1`, CREW.lead, (m) =>
      m.text.includes("run #"),
    );
    const start = rb.steps.findIndex((x) => x.id === "downtime-start");
    clock.set(T0);
    await driveToEnd({ services: s, adapter, clock }, ID, { stopBefore: "rollout" });
    expect((await run()).steps[start]!.status).toBe("done");
    const dl = async () =>
      (await ask(adapter, "!downtime list all", CREW.nobody, (m) => m.text.startsWith(`#1 "DB deployment"`)))
        .text;
    expect(await dl()).toContain("in progress since");

    // The rollout within its estimate: 55m in, no alarm.
    const rollout = start + 1;
    await adapter.say("!migrate next", CREW.engineer);
    await eventually(async () => (await run()).steps[rollout]!.status === "awaiting-confirm", "confirm");
    await adapter.say("!migrate confirm", CREW.losa2);
    await eventually(async () => (await run()).steps[rollout]!.status === "awaiting-ack", "rollout");
    clock.set((await run()).downtime.start! + 55 * M);
    await tickRunbooks(s);
    await adapter.say("!migrate ack", CREW.losa);
    await eventually(async () => (await run()).cursor > rollout, "the rollout acked");
    await driveToEnd({ services: s, adapter, clock }, ID, { from: rollout + 1, stopBefore: "site-up" });
    await tickRunbooks(s);
    expect(adapter.sent.filter((m) => m.text.startsWith("OFF TRACK"))).toEqual([]);
    expect(await dl()).toMatch(/^#1 "DB deployment" done/);

    // Undo of the end marker: the downtime is in progress again, with its topic segment.
    await ask(adapter, "!migrate undo", CREW.lead, (m) => m.text.includes("undone"));
    await eventually(async () => (await run()).steps[rollout + 1]!.status === "undone", "end undone");
    expect(await dl()).toContain("in progress since");
    expect(adapter.topics.get("console")).toContain("Downtime in progress");
    expect((await run()).downtime.end).toBeUndefined();
  });

  test("undoing the downtime start schedules the downtime again; undoing RC mode off turns it back on; bad bindings are refused", {
    timeout: 90_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await startRunbookBot(bot, sshd);
    const { clock, adapter, services: s } = t;
    const run = async () => (await getRun(s, runKey(s, "console", "console", ID)))!;
    const T0 = clock.now() + 5 * H;
    const rcMode = async () =>
      (await ask(adapter, "!rc-mode", CREW.nobody, (m) => m.text.startsWith("RC mode"))).text;
    const refused = async (words: string) =>
      (
        await ask(adapter, `!migrate start ${ID} revision=1 ${words}`, CREW.lead, (m) =>
          m.text.includes(words),
        )
      ).text;
    expect(await refused("downtime=soon")).toContain("expected the number of a scheduled downtime");
    await ask(adapter, `!downtime schedule ${new Date(T0).toISOString()} DB deployment`, CREW.lead, (m) =>
      m.text.startsWith("Scheduled #1"),
    );
    await ask(adapter, "!downtime start 1 --early", CREW.lead, (m) => m.text.startsWith("Started"));
    expect(await refused("downtime=1")).toContain(
      "downtime #1 is started; only a scheduled downtime can be bound",
    );
    await ask(adapter, "!downtime done 1", CREW.lead, (m) => m.text.startsWith("Done"));
    await ask(adapter, `!downtime schedule ${new Date(T0 + H).toISOString()} DB deployment`, CREW.lead, (m) =>
      m.text.startsWith("Scheduled #2"),
    );

    await ask(adapter, `!migrate start ${ID} revision=1 site_url=${http.url} downtime=2`, CREW.lead, (m) =>
      m.text.includes("run #"),
    );
    // Six hours ahead of the downtime, its marker does not start it: like !downtime start, it wants a person.
    await driveToEnd({ services: s, adapter, clock }, ID, { stopBefore: "downtime-start" });
    const marker = (await run()).cursor;
    await adapter.say("!migrate next", CREW.engineer);
    const early = await eventually(async () => {
      const sr = (await run()).steps[marker]!;
      return sr.status === "failed" && sr.result;
    }, "the marker to refuse");
    expect(early).toContain("Start it with !downtime start 2 --early");
    clock.set(T0 + H);
    await adapter.say("!migrate retry", CREW.engineer);
    await eventually(async () => (await run()).cursor > marker, "the marker on time");
    const two = async () =>
      (await ask(adapter, "!downtime list", CREW.nobody, (m) => m.text.startsWith(`#2 "DB deployment"`)))
        .text;
    expect(await two()).toContain("in progress since");
    expect(adapter.topics.get("console")).toContain("Downtime in progress");
    expect(await rcMode()).toMatch(/^RC mode is off/);

    // Undo of the start marker: downtime #2 is scheduled again, its segment gone, and that is announced.
    await ask(adapter, "!migrate undo", CREW.lead, (m) => m.text.includes("downtime start undone"));
    expect(await two()).not.toContain("in progress");
    expect(adapter.topics.get("console") ?? "").not.toContain("Downtime in progress");
    expect(
      adapter.texts().some((x) => x.startsWith("Downtime #2 (DB deployment) has not started after all")),
    ).toBe(true);
    expect((await run()).downtime.start).toBeUndefined();
    // The next undo passes the announcement and turns RC mode back on, as !rc-mode on would.
    await ask(adapter, "!migrate undo", CREW.lead, (m) => m.text.includes("RC mode is on"));
    expect(await rcMode()).toMatch(/^RC mode is ON/);
    expect(adapter.topics.get("console")).toContain("PQM in RC mode");
  });

  test("a rehearsal bound to the downtime walks every step and changes neither the downtime nor RC mode", {
    timeout: 90_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await startRunbookBot(bot, sshd);
    const { clock, adapter, services: s } = t;
    const T0 = clock.now() + 5 * H;
    await ask(adapter, `!downtime schedule ${new Date(T0).toISOString()} DB deployment`, CREW.lead, (m) =>
      m.text.startsWith("Scheduled #1"),
    );
    await ask(
      adapter,
      `!migrate start ${ID} --rehearse revision=1 site_url=${http.url} downtime=1`,
      CREW.lead,
      (m) => m.text.includes("run #"),
    );
    clock.set(T0);
    const result = await driveToEnd({ services: s, adapter, clock }, ID);
    expect(result.run.status).toBe("finished");
    expect(result.run.steps.every((x) => x.status === "done")).toBe(true);
    const list = await ask(adapter, "!downtime list", CREW.nobody, (m) =>
      m.text.startsWith(`#1 "DB deployment"`),
    );
    expect(list.text).not.toMatch(/in progress| done /);
    const rc = await ask(adapter, "!rc-mode", CREW.nobody, (m) => m.text.startsWith("RC mode"));
    expect(rc.text).toMatch(/^RC mode is off/);
    expect(adapter.sent.filter((m) => m.kind === "topic")).toEqual([]);
    expect(adapter.texts().some((x) => x.includes("downtime #1 would be started; not changed"))).toBe(true);
  });
});
