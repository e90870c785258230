import type { MemoryAdapter } from "../../src/bot/memory.js";
import { ManualClock } from "../../src/core/clock.js";
import { freePort } from "../../src/infra/redis.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, type StartBot, test } from "../harness/fixtures.js";
import type { Sshd } from "../harness/sshd.js";

const SERVICES = ["cron-fdt", "buildd-manager"];

describe("!lpndt over SSH against a real sshd", () => {
  const start = (
    { bot, sshd }: { bot: StartBot; sshd: Sshd },
    bastion: Record<string, unknown> = {},
    lpndt: Record<string, unknown> = {},
    extra = {},
    clock?: ManualClock,
  ) =>
    bot({
      clock,
      roles: { engineer: ["eng"], lead: ["lead"] },
      config: {
        hosts: { bastion: sshd.hostEntry(bastion) },
        lpndt: { host: "bastion", user: sshd.user, services: SERVICES, ...lpndt },
        ...extra,
      },
    });

  const finished = (a: MemoryAdapter, id: number) =>
    a.waitFor((m) => m.text.startsWith(`#${id} done`) || m.text.startsWith(`#${id} FAILED`));

  /** The bot still answers: a queued job runs and replies. */
  async function stillServing(a: MemoryAdapter) {
    await a.say("!ping", "eng");
    await a.waitFor((m) => /^#\d+ done .*pong/.test(m.text));
  }

  test("runs exactly `lpndt service-stop cron-fdt` once and reports exit 0 and the duration", async ({
    bot,
    sshd,
  }) => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["Stopping cron-fdt", "cron-fdt stopped"] });
    const t = await start({ bot, sshd });
    await t.adapter.say("!lpndt service-stop cron-fdt", "eng");
    await t.adapter.waitFor((m) => m.text === "queued #1: lpndt service-stop cron-fdt on bastion");
    const r = await finished(t.adapter, 1);
    expect(r.text).toMatch(
      /^#1 done \(\d+(ms|s)\): lpndt service-stop cron-fdt on bastion: exit 0 in [\d.]+m?s\n/,
    );
    expect(r.text).toContain("cron-fdt stopped");
    expect(sshd.calls()).toEqual(["lpndt [service-stop] [cron-fdt]"]);
    expect(await t.services.jobs.log(1)).toContain("Stopping cron-fdt");
  });

  test("shows a failing lpndt's exit status and the last lines of its output", async ({ bot, sshd }) => {
    sshd.clearCalls();
    const lines = Array.from({ length: 14 }, (_, i) => `progress line ${i + 1}`);
    sshd.behave("lpndt", { output: lines, stderr: ["ERROR: buildd-manager did not stop"], exit: 4 });
    const t = await start({ bot, sshd });
    await t.adapter.say("!lpndt service-stop buildd-manager", "eng");
    const r = await finished(t.adapter, 1);
    expect(r.kind).toBe("alarm");
    expect(r.text).toMatch(/^#1 FAILED .*lpndt service-stop buildd-manager on bastion: exit 4 in /);
    expect(r.text).toContain("ERROR: buildd-manager did not stop");
    expect(r.text).toContain("earlier lines: !job log 1");
    expect(r.text).not.toContain("progress line 1\n");
    expect(sshd.calls()).toEqual(["lpndt [service-stop] [buildd-manager]"]);
    // After fixing the cause, a retry runs it again as a new job.
    sshd.behave("lpndt", { output: ["buildd-manager stopped"] });
    await t.adapter.say("!job retry 1", "eng");
    const again = await finished(t.adapter, 2);
    expect(again.text).toMatch(/^#2 done .*exit 0/);
    expect(sshd.calls()).toEqual([
      "lpndt [service-stop] [buildd-manager]",
      "lpndt [service-stop] [buildd-manager]",
    ]);
    expect((await t.services.jobs.get(2))?.data).toMatchObject({
      verb: "service-stop",
      service: "buildd-manager",
      sent: true,
    });
  });

  test("refuses shell syntax, line breaks and services off the allow-list before queueing; nothing runs", async ({
    bot,
    sshd,
  }) => {
    sshd.clearCalls();
    const t = await start({ bot, sshd });
    const attempts = [
      "!lpndt service-stop 'cron-fdt; touch /tmp/x'",
      "!lpndt service-stop cron-fdt; touch /tmp/x",
      "!lpndt service-stop $(touch /tmp/x)",
      "!lpndt service-stop '$(touch /tmp/x)'",
      "!lpndt service-stop `touch /tmp/x`",
      "!lpndt service-stop 'cron-fdt\ntouch /tmp/x'",
      "!lpndt service-stop cron-fdt\ntouch /tmp/x",
      "!lpndt service-start apache2",
      "!lpndt service-stop cron-fdt buildd-manager",
      "!lpndt service-stop",
    ];
    for (const line of attempts) {
      const before = t.adapter.sent.length;
      await t.adapter.say(line, "eng");
      const reply = await t.adapter.waitFor((m) => t.adapter.sent.indexOf(m) >= before);
      expect(reply?.kind, line).toBe("alarm");
      expect(reply?.text, line).toMatch(/Refused|usage: !lpndt/);
      expect(reply?.text, line).not.toMatch(/^queued/);
    }
    expect(t.adapter.texts().filter((x) => x.includes("metacharacter")).length).toBe(5);
    expect(t.adapter.texts().some((x) => x.includes("line break"))).toBe(true);
    expect(t.adapter.texts().some((x) => x.includes('"apache2" is not on the lpndt allow-list'))).toBe(true);
    expect(await t.services.jobs.recent()).toEqual([]);
    expect(sshd.calls()).toEqual([]);
  });

  test("refuses a changed host key with an alarm, and keeps serving", async ({ bot, sshd }) => {
    sshd.clearCalls();
    const t = await start({ bot, sshd }, { hostKey: sshd.otherHostKey });
    await t.adapter.say("!lpndt service-stop cron-fdt", "eng");
    const r = await finished(t.adapter, 1);
    expect(r.kind).toBe("alarm");
    expect(r.text).toContain(`SECURITY: host key of bastion (127.0.0.1:${sshd.port}) is ${sshd.hostKey}`);
    expect(r.text).toContain("REFUSED");
    expect(await t.services.jobs.log(1)).toContain("REFUSED");
    expect(sshd.calls()).toEqual([]);
    await stillServing(t.adapter);
  });

  test("says so when the host is unreachable or our key is wrong, and keeps serving", async ({
    bot,
    sshd,
    prefix,
  }) => {
    const closed = await freePort();
    for (const [i, [bastion, expected]] of (
      [
        [{ port: closed }, `cannot reach bastion (127.0.0.1:${closed}): connection refused`],
        [{ key: sshd.otherKey }, `authentication as ${sshd.user} on bastion (127.0.0.1:${sshd.port}) failed`],
      ] as const
    ).entries()) {
      // Each bot on a key prefix of its own (under the test's), so each one's job is #1.
      const t = await start({ bot, sshd }, bastion, {}, { keyPrefix: `${prefix}:${i}` });
      await t.adapter.say("!lpndt service-start cron-fdt", "eng");
      const r = await finished(t.adapter, 1);
      expect(r.text).toContain(`#1 FAILED`);
      expect(r.text).toContain(expected);
      expect(await t.services.jobs.log(1)).toContain(expected);
      await stillServing(t.adapter);
      await t.stop();
    }
  });

  test("ends a step that outruns lpndt.timeout, says so, and keeps serving", async ({ bot, sshd }) => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["waiting for cron jobs to finish"], delay: 30 });
    const t = await start({ bot, sshd }, {}, { timeout: "1s" });
    await t.adapter.say("!lpndt service-stop cron-fdt", "eng");
    const r = await finished(t.adapter, 1);
    expect(r.text).toMatch(/#1 FAILED .*: timed out after 1\.0s on bastion; sent TERM/);
    expect(r.text).toContain("waiting for cron jobs to finish");
    expect(await t.services.jobs.log(1)).toContain("timed out after 1.0s");
    await stillServing(t.adapter);
  });

  test("posts a progress line in the job's thread while a long step runs", async ({ bot, sshd }) => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["draining the queue"], delay: 4 });
    const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
    const t = await start({ bot, sshd }, {}, {}, {}, clock);
    await t.adapter.say("!lpndt service-stop cron-fdt", "eng");
    await eventually(async () => (await t.services.jobs.log(1)).includes("draining"), "the first output");
    clock.advance(31_000);
    const p = await t.adapter.waitFor((m) => m.kind === "progress");
    expect(p.text).toBe("#1 still running on bastion (31s): draining the queue");
    expect(p.threadOf).toBe("j1");
    await finished(t.adapter, 1);
    expect(t.adapter.sent.filter((m) => m.kind === "progress")).toHaveLength(1);
  });

  test("runs one lpndt per host at a time: the second waits, says for what, and runs after", async ({
    bot,
    sshd,
  }) => {
    sshd.clearCalls();
    sshd.behave("lpndt", { delay: 1.5 });
    const t = await start({ bot, sshd });
    await t.adapter.say("!lpndt service-stop cron-fdt", "eng");
    // #1 holds the host once its command has reached the host.
    await eventually(() => sshd.calls().length > 0, "the command to reach the host");
    await t.adapter.say("!lpndt service-stop buildd-manager", "eng");
    const ack = await t.adapter.waitFor((m) => m.text.startsWith("queued #2"));
    expect(ack.text).toBe(
      "queued #2: lpndt service-stop buildd-manager on bastion — waits for #1 (lpndt service-stop cron-fdt), which is running there now",
    );
    await t.adapter.waitFor((m) =>
      m.text.startsWith("#2 waiting: #1 (lpndt service-stop cron-fdt) is running on bastion"),
    );
    const first = await finished(t.adapter, 1);
    const second = await finished(t.adapter, 2);
    expect(first.text).toContain("done");
    expect(second.text).toContain("done");
    expect(t.adapter.sent.indexOf(first)).toBeLessThan(t.adapter.sent.indexOf(second));
    expect(sshd.calls()).toEqual([
      "lpndt [service-stop] [cron-fdt]",
      "lpndt [service-stop] [buildd-manager]",
    ]);
  });

  test("runs RC mode's configured remote steps, and leaves the mode unchanged when one fails", async ({
    bot,
    sshd,
  }) => {
    sshd.clearCalls();
    sshd.behave("pqm-rc", { output: ["pqm now in RC mode"] });
    const t = await start(
      { bot, sshd },
      {},
      {},
      {
        rcMode: {
          onSteps: [{ host: "bastion", argv: ["pqm-rc", "enter", "db-stable"] }],
          offSteps: [{ host: "bastion", argv: ["flaky", "leave"] }],
        },
      },
    );
    sshd.behave("flaky", { stderr: ["pqm: locked"], exit: 1 });
    await t.adapter.say("!rc-mode on", "lead");
    await t.adapter.waitFor((m) => /^#1 done/.test(m.text));
    expect(t.adapter.topics.get("console")).toBe("PQM in RC mode");
    await t.adapter.say("!rc-mode off", "lead");
    const r = await finished(t.adapter, 2);
    expect(r.text).toContain("RC mode NOT turned off: step 1/1 (flaky leave on bastion) failed: exit 1");
    expect(r.text).toContain("pqm: locked");
    expect(t.adapter.topics.get("console")).toBe("PQM in RC mode");
    expect(sshd.calls()).toEqual(["pqm-rc [enter] [db-stable]", "flaky [leave]"]);
  });
});
