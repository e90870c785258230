import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tickRunbooks } from "../../src/domain/runbook/tick.js";
import { eventually } from "../harness/eventually.js";
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  type StartBot,
  test,
} from "../harness/fixtures.js";
import { bootShipped } from "../harness/runbook-boot.js";
import { ask, CREW, driveToEnd, okServer } from "../harness/runbook-driver.js";
import { RUNBOOK_COMMANDS } from "../harness/runbook-sshd.js";
import type { Sshd } from "../harness/sshd.js";

const params = (url: string) =>
  `old_app=launchpad-librarian-old old_spool=old.internal:/srv/launchpad/librarian/ new_address=127.0.0.1 old_file=1/a.dsc frontend_url=${url} download_port=${new URL(url).port}`;

describe("the librarian runbook does what seed 000 says, against a real sshd", () => {
  let http: Awaited<ReturnType<typeof okServer>>;
  let sshd: Sshd;
  let hold: string;
  beforeAll(async () => {
    http = await okServer();
  });
  test.beforeAll(({ runbookSshd }) => {
    sshd = runbookSshd;
    hold = join(sshd.dir, "release");
  });
  afterEach(() => {
    for (const c of RUNBOOK_COMMANDS) sshd.behave(c, {});
    rmSync(hold, { force: true });
  });
  afterAll(async () => {
    await http?.close();
  });

  const boot = (start: StartBot, extra: Record<string, unknown> = {}) => bootShipped(start, sshd, extra);

  test("librarian: a restart during the wait fails the still-running check", async ({ bot }) => {
    const { d, reply, step } = await boot(bot);
    await reply(`!migrate start librarian-migration ${params(http.url)}`, CREW.lead, /started/);
    await driveToEnd(d, "librarian-migration", { stopBefore: "still-running" });
    // Active again, but restarted once since the first check.
    sshd.behave("systemctl", {
      output: ["ActiveState=active", "NRestarts=1", "ActiveEnterTimestampMonotonic=1534567890"],
    });
    const failed = await ask(d.adapter, "!migrate next", CREW.engineer, (m) => /FAILED/.test(m.text));
    expect(failed.text).toMatch(/the output changed since step "running"/);
    expect((await step("librarian-migration", "still-running")).status).toBe("failed");
  });

  test("librarian: the switch waits for an rsync iteration begun after the old unit went quiet", async ({
    bot,
  }) => {
    const { d, clock, run, reply, step } = await boot(bot);
    await reply(`!migrate start librarian-migration ${params(http.url)}`, CREW.lead, /started/);
    await driveToEnd(d, "librarian-migration", { stopBefore: "caught-up" });
    const loop = async () => (await run("librarian-migration"))!.loops["rsync-spool"]!;
    const iterate = async () => {
      const before = (await loop()).iterations;
      const l = await loop();
      if (l.nextAt > clock.now()) clock.advance(l.nextAt - clock.now());
      await tickRunbooks(d.services);
      await eventually(async () => {
        const x = await loop();
        return x.inFlight === undefined && x.iterations > before;
      }, "an iteration");
    };
    // An iteration is running when the check begins: it may have read the spool before the
    // services stopped, so its end does not count.
    sshd.behave("rsync", { holdUntil: hold });
    const early = await loop();
    clock.advance(Math.max(0, early.nextAt - clock.now()));
    await tickRunbooks(d.services);
    await eventually(async () => (await loop()).inFlight !== undefined, "an iteration in flight");
    await d.adapter.say("!migrate next", CREW.engineer);
    const check = await eventually(async () => {
      const sr = await step("librarian-migration", "caught-up");
      return sr.status === "running" && sr.job;
    }, "the check");
    await eventually(
      async () => (await d.services.jobs.log(check)).includes(`after iteration ${early.iterations + 1} (`),
      "the check to see the iteration in flight",
    );
    writeFileSync(hold, "");
    await eventually(
      async () =>
        (await d.services.jobs.log(check)).includes(
          `after iteration ${early.iterations + 1} (${early.iterations + 1} ended`,
        ),
      "the check to see that iteration end",
    );
    expect((await step("librarian-migration", "caught-up")).status).toBe("running");
    rmSync(hold, { force: true });
    // An iteration that fails does not count; the switch still waits.
    sshd.behave("rsync", { exit: 23, stderr: ["rsync: some files vanished"] });
    await iterate();
    expect((await step("librarian-migration", "caught-up")).status).toBe("running");
    expect((await run("librarian-migration"))!.cursor).toBe(
      (await run("librarian-migration"))!.steps.findIndex((s) => s.status === "running"),
    );
    sshd.behave("rsync", {});
    await iterate();
    await eventually(
      async () => (await step("librarian-migration", "caught-up")).status === "done",
      "caught up",
    );
  });

  test("librarian: its lpndt step waits while !lpndt holds the host's lock", async ({ bot }) => {
    const { d, reply, step } = await boot(bot, {
      lpndt: { host: "bastion", services: ["cron-fdt", "buildd-manager"] },
    });
    await reply(`!migrate start librarian-migration ${params(http.url)}`, CREW.lead, /started/);
    await driveToEnd(d, "librarian-migration", { stopBefore: "stop-cron" });
    sshd.clearCalls();
    sshd.behave("lpndt", { holdUntil: hold });
    await d.adapter.say("!lpndt service-stop buildd-manager", CREW.engineer);
    await eventually(async () => sshd.calls().length === 1, "!lpndt to run");
    const waiting = await ask(d.adapter, "!migrate next", CREW.engineer, (m) =>
      m.text.includes(" waiting: #"),
    );
    expect(waiting.text).toMatch(
      /^#\d+ waiting: #\d+ \(lpndt service-stop buildd-manager\) is running on bastion; one lpndt at a time there/,
    );
    expect(sshd.calls()).toEqual(["lpndt [service-stop] [buildd-manager]"]);
    expect((await step("librarian-migration", "stop-cron")).status).toBe("running");
    writeFileSync(hold, "");
    await eventually(
      async () => (await step("librarian-migration", "stop-cron")).status === "done",
      "the step",
    );
    expect(sshd.calls()).toEqual([
      "lpndt [service-stop] [buildd-manager]",
      "lpndt [service-stop] [cron-fdt]",
    ]);
  });
});
