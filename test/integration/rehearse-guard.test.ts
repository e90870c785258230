import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downtimes } from "../../src/announce/lifecycle.js";
import { ManualClock } from "../../src/core/clock.js";
import { toChannel } from "../../src/core/outbound.js";
import { setRcMode } from "../../src/domain/rc-mode.js";
import { builtinStepKinds } from "../../src/domain/runbook/kinds/index.js";
import { runServices } from "../../src/domain/runbook/rehearsal.js";
import { getRun, type RunState, runKey, updateRun } from "../../src/domain/runbook/state.js";
import { setManagedSegment } from "../../src/domain/topic-publish.js";
import { renderRun } from "../../src/web/pages/run.js";
import { SHIPPED_RUNBOOKS, shippedHosts } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { afterAll, beforeAll, describe, expect, type StartBot, test } from "../harness/fixtures.js";
import { ask, CREW, CREW_ROLES } from "../harness/runbook-driver.js";
import { connectionsSince, type Sshd } from "../harness/sshd.js";
import { startWebhookSink } from "../harness/webhook.js";

/**
 * Issue #14 point 2: a rehearsal can never become a real run. The mark is the
 * run's, set at its start and never changed; the dispatcher runs nothing for a
 * rehearsal whatever asks it; and the entry points of topics, RC mode,
 * downtimes, announcements and chat refuse a rehearsal's services.
 */

const ID = "hkn-rails-migrate-to-prod";

describe("a rehearsal never becomes a real run", () => {
  let hook: Awaited<ReturnType<typeof startWebhookSink>>;
  let dir: string;
  beforeAll(async () => {
    hook = await startWebhookSink();
    dir = mkdtempSync(join(tmpdir(), "changebot-rehearse-"));
  });
  afterAll(async () => {
    await hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rehearsalBot(bot: StartBot, sshd: Sshd) {
    const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
    const t = await bot({
      clock,
      roles: CREW_ROLES,
      config: {
        runbooks: SHIPPED_RUNBOOKS,
        hosts: shippedHosts(sshd.hostEntry()),
        announce: [`webhook:${hook.url}`, "console:#announce"],
      },
    });
    sshd.clearCalls();
    const started = await ask(
      t.adapter,
      `!migrate start ${ID} --rehearse site_url=${hook.url}`,
      CREW.lead,
      (m) => m.text.includes("run #"),
    );
    expect(started.text).toMatch(/^\[REHEARSAL\] hkn-rails-migrate-to-prod run #1 started/);
    const key = runKey(t.services, "console", "console", ID);
    return { ...t, clock, key };
  }

  test("the real start is refused while it is rehearsed here, and the mark never changes", {
    timeout: 60_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await rehearsalBot(bot, sshd);
    const sshdLog = sshd.output().length;
    const refused = await ask(t.adapter, `!migrate start ${ID} site_url=${hook.url}`, CREW.lead, (m) =>
      m.text.includes("rehears"),
    );
    expect(refused.text).toContain("is already being rehearsed in this channel (REHEARSAL run #1");
    expect(refused.text).toContain("a rehearsal never becomes a real run");
    const typo = await ask(t.adapter, `!migrate start ${ID} --real site_url=${hook.url}`, CREW.lead, (m) =>
      m.text.includes("Unknown option"),
    );
    expect(typo.text).toContain('Unknown option "--real"');

    // No change of the run, by any path, can take the mark away (or put it on).
    await expect(
      updateRun(t.services, t.key, (r) => {
        delete r.rehearsal;
      }),
    ).rejects.toThrow(/never changes/);
    expect((await getRun(t.services, t.key))?.rehearsal).toBe(true);

    // Its steps go on as a rehearsal: the first one's command is shown, not run.
    await t.adapter.say("!migrate next", CREW.engineer);
    const done = await eventually(async () => {
      const r = await getRun(t.services, t.key);
      return r && r.cursor > 0 && r;
    }, "the first step to be over");
    expect(done.steps[0]!.status).toBe("done");
    const status = await ask(t.adapter, "!migrate status", CREW.engineer, (m) => m.text.includes("run #1"));
    expect(status.text).toMatch(/^\[REHEARSAL\] hkn-rails-migrate-to-prod run #1 \(active\)/);
    expect(sshd.calls()).toEqual([]);
    expect(connectionsSince(sshd, sshdLog)).toEqual([]);
    // The run's page says so too.
    const page = String(renderRun(t.services, builtinStepKinds, done));
    expect(page).toContain('<span class="st st-rehearsal" id="run-rehearsal">REHEARSAL</span>');

    // Once it is aborted, a real run starts, and it is real: its command reaches sshd.
    const aborted = await ask(t.adapter, "!migrate abort rehearsed", CREW.lead, (m) =>
      m.text.includes("aborted"),
    );
    expect(aborted.text).toMatch(/^\[REHEARSAL\] hkn-rails-migrate-to-prod run #1 aborted by lena/);
    expect(t.adapter.sent.filter((m) => m.kind === "topic")).toEqual([]);
    const real = await ask(t.adapter, `!migrate start ${ID} site_url=${hook.url}`, CREW.lead, (m) =>
      m.text.includes("run #2"),
    );
    expect(real.text).toMatch(/^hkn-rails-migrate-to-prod run #2 started/);
    expect((await getRun(t.services, t.key))?.rehearsal).toBeUndefined();
    await t.adapter.say("!migrate next", CREW.engineer);
    await eventually(async () => sshd.calls().length > 0, "the real run's first command");
    expect(sshd.calls()[0]).toMatch(/^readlink /);
  });

  test("a rehearsal runs beside a real run of the same runbook in another channel", {
    timeout: 60_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await rehearsalBot(bot, sshd);
    const drill = { channel: "#drill" };
    const aborted = await ask(t.adapter, "!migrate abort", CREW.lead, (m) => m.text.includes("aborted"));
    expect(aborted.text).toContain("[REHEARSAL]");
    // The real run in the channel, its rehearsal in #drill: one run per runbook per channel.
    await t.adapter.say(`!migrate start ${ID} site_url=${hook.url}`, CREW.lead);
    await eventually(async () => (await getRun(t.services, t.key))?.seq === 2, "the real run");
    const n = t.adapter.sent.length;
    await t.adapter.say(`!migrate start ${ID} --rehearse site_url=${hook.url}`, CREW.lead, drill);
    const drillKey = runKey(t.services, "console", "#drill", ID);
    await eventually(async () => (await getRun(t.services, drillKey))?.rehearsal, "the rehearsal in #drill");
    await t.adapter.say("!migrate next", CREW.engineer, drill);
    await eventually(async () => (await getRun(t.services, drillKey))?.cursor === 1, "the rehearsed step");
    expect(sshd.calls()).toEqual([]);
    await t.adapter.say("!migrate next", CREW.engineer);
    await eventually(async () => (await getRun(t.services, t.key))?.cursor === 1, "the real step");
    expect(sshd.calls()).toEqual(["readlink [-e] [--] [hkn-rails/migrate/shared]"]);
    const inDrill = t.adapter.sent.slice(n).filter((m) => m.target === "#drill");
    expect(inDrill.length).toBeGreaterThan(2);
    expect(inDrill.filter((m) => !m.text.includes("REHEARSAL")).map((m) => m.text)).toEqual([]);
    const inChannel = t.adapter.sent.slice(n).filter((m) => m.target === "console");
    expect(inChannel.filter((m) => m.text.includes("REHEARSAL")).map((m) => m.text)).toEqual([]);
  });

  test("run mode and a rollback in a rehearsal: the undo's command is shown, not run", {
    timeout: 60_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await rehearsalBot(bot, sshd);
    const sshdLog = sshd.output().length;
    const at = async (status: string, i: number) =>
      eventually(
        async () => {
          const r = await getRun(t.services, t.key);
          return r?.steps[i]?.status === status && r;
        },
        `step ${i + 1} ${status}`,
      );
    // Run mode goes through the check and stops at the manual step, as in a real run.
    await t.adapter.say("!migrate run", CREW.engineer);
    await at("awaiting-ack", 1);
    await t.adapter.say("!migrate ack done", CREW.engineer);
    await at("done", 1);
    await t.adapter.say("!migrate run", CREW.engineer);
    await at("awaiting-ack", 4);
    await t.adapter.say("!migrate ack merged", CREW.engineer);
    await at("done", 4);
    const rolled = await ask(t.adapter, "!migrate rollback", CREW.lead, (m) =>
      m.text.includes("rolled back"),
    );
    expect(rolled.text).toContain("[REHEARSAL]");
    const r = (await getRun(t.services, t.key))!;
    expect(r.status).toBe("rolled-back");
    const undo = r.timeline.filter(
      (e) => e.what.startsWith("REHEARSAL, would run: ") && e.what.includes("hkn-rails-migrate.service"),
    );
    expect(undo.map((e) => e.what)).toEqual([
      `REHEARSAL, would run: ssh apphost (${sshd.hostEntry().user}@127.0.0.1:${sshd.port}): 'sed' '-i' '-e' 's/hkn-rails[.]service/hkn-rails-migrate.service/g' '--' '.config/systemd/user/hkn-rails-logrotate.service' (timeout 10m)`,
    ]);
    expect(sshd.calls()).toEqual([]);
    expect(connectionsSince(sshd, sshdLog)).toEqual([]);
    expect(t.adapter.sent.filter((m) => !m.text.includes("REHEARSAL")).map((m) => m.text)).toEqual([]);
  });

  test("no path of a rehearsal reaches SSH, a local process, a topic, RC mode, a downtime or another channel", {
    timeout: 60_000,
  }, async ({ bot, runbookSshd: sshd }) => {
    const t = await rehearsalBot(bot, sshd);
    const run = (await getRun(t.services, t.key)) as RunState;
    const sshdLog = sshd.output().length;
    const hits = hook.hits.length;
    const log: string[] = [];
    const recorded: string[] = [];
    const io = { jobId: 0, log: async (c: string) => void log.push(c) };
    const rehearsal = { record: async (l: string) => void recorded.push(l) };

    // The dispatcher itself: a request marked as a rehearsal runs nothing, remote or local.
    const remote = await t.services.exec.execute(
      { host: "apphost", argv: ["systemctl", "--user", "stop", "it's"], timeoutMs: 90_000 },
      { ...io, rehearsal },
    );
    expect(remote.ok).toBe(true);
    expect(remote.summary).toBe(
      `would run ssh apphost (${sshd.hostEntry().user}@127.0.0.1:${sshd.port}): 'systemctl' '--user' 'stop' 'it'\\''s' (timeout 1m 30s)`,
    );
    const marker = join(dir, "touched");
    const local = await t.services.exec.execute({ argv: ["touch", marker] }, { ...io, rehearsal });
    expect(local.summary).toBe(`would run local (no shell): touch ${marker} (no timeout)`);
    expect(existsSync(marker)).toBe(false);
    const unknown = await t.services.exec.execute({ host: "nowhere", argv: ["true"] }, { ...io, rehearsal });
    expect(unknown.ok).toBe(false);
    expect(unknown.summary).toContain('there is no host "nowhere" in hosts:');
    expect(recorded).toHaveLength(2);

    // A rehearsal's services mark whatever they are handed: an ExecContext without the mark is rehearsed too.
    const rs = runServices(t.services, run, "eve", 0);
    const again = await rs.exec.execute({ host: "apphost", argv: ["rm", "-rf", "--", "/srv"] }, io);
    expect(again.summary).toMatch(/^would run ssh apphost/);
    expect(sshd.calls()).toEqual([]);
    expect(connectionsSince(sshd, sshdLog)).toEqual([]);
    const r = await getRun(t.services, t.key);
    expect(r?.timeline.at(-1)?.what).toContain(`REHEARSAL, would run: ssh apphost`);

    // The entry points of the world's state refuse a rehearsal's services.
    await expect(setManagedSegment(rs, "runbook:x", "PQM in RC mode", ["console:console"])).rejects.toThrow(
      "a rehearsal does not change channel topics",
    );
    await expect(setRcMode(rs, { on: true, since: 0, by: "eve", channels: [] })).rejects.toThrow(
      "a rehearsal does not change RC mode",
    );
    const d = await downtimes(t.services).create({
      title: "db deploy",
      start: t.clock.now() + 86_400_000,
      windowMs: 5_400_000,
      status: "scheduled",
      rev: 1,
      by: "lena",
      createdAt: t.clock.now(),
      shortNotice: false,
    });
    await expect(downtimes(rs).save({ ...d, status: "started" })).rejects.toThrow(
      "a rehearsal does not change downtimes",
    );
    expect((await downtimes(t.services).get(d.id))?.status).toBe("scheduled");
    await expect(rs.outbox.send(toChannel("console", "#announce", "hello"))).rejects.toThrow(
      "a rehearsal does not change what is said outside console:console",
    );
    await expect(rs.topics.setManaged("console", "console", "x", "y")).rejects.toThrow(/channel topics/);

    // An announcement through them is shown in the run's channel only: no webhook request.
    const n = t.adapter.sent.length;
    await rs.announcer.announce("The site is down for maintenance.");
    await eventually(async () => t.adapter.sent.length > n, "the rehearsed announcement");
    await t.services.outbox.drained("console");
    expect(t.adapter.sent.slice(n).map((m) => [m.target, m.text])).toEqual([
      [
        "console",
        `[REHEARSAL] announcement, not made (it would go to webhook:${new URL(hook.url).origin}/…, console:#announce):\nThe site is down for maintenance.`,
      ],
    ]);
    expect(hook.hits.length - hits).toBe(0);
    expect(t.adapter.sent.filter((m) => m.kind === "topic" || m.target !== "console")).toEqual([]);
  });
});
