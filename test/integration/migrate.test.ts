import { runbooksOf } from "../../src/config/runbook-load.js";
import { bindStep } from "../../src/config/runbook-params.js";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
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
import { ask, CREW, driveToEnd, okServer, startRunbookBot } from "../harness/runbook-driver.js";
import { RUNBOOK_COMMANDS } from "../harness/runbook-sshd.js";
import type { Sshd } from "../harness/sshd.js";

const OFN =
  "new_ip=127.0.0.2 new_domain=prod2.example.org domain=example.org old_login=u@old.example.org old_db_host=old.example.org";

describe("!migrate: roles, the two-person rule, undo and rollback, failures, abort", () => {
  let http: Awaited<ReturnType<typeof okServer>>;
  let sshd: Sshd;
  /** This test's bot. */
  let bot: Awaited<ReturnType<typeof startRunbookBot>> | undefined;
  beforeAll(async () => {
    http = await okServer();
  });
  test.beforeAll(({ runbookSshd }) => {
    sshd = runbookSshd;
  });
  afterEach(() => {
    bot = undefined;
    for (const c of RUNBOOK_COMMANDS) sshd.behave(c, {});
  });
  afterAll(async () => {
    await http?.close();
  });

  async function boot(start: StartBot) {
    bot = await startRunbookBot(start, sshd);
    sshd.clearCalls();
    return bot;
  }
  /** The remote commands run so far, as argv arrays. */
  const calls = () =>
    sshd
      .calls()
      .map((c) => [c.split(" [")[0]!, ...[...c.matchAll(/ \[(.*?)\](?= \[|$)/g)].map((m) => m[1]!)]);
  const run = (id: string) => getRun(bot!.services, runKey(bot!.services, "console", "console", id));
  const reply = (text: string, user: string, re: RegExp) =>
    ask(bot!.adapter, text, user, (m) => re.test(m.text));
  const argvOf = (id: string, stepId: string, undo = false) => {
    const rb = runbooksOf(bot!.services.config).runbooks.get(id)!;
    const step = bindStep(rb.steps.find((s) => s.id === stepId)!, {
      new_ip: "127.0.0.2",
      new_domain: "prod2.example.org",
      domain: "example.org",
      old_login: "u@old.example.org",
      old_db_host: "old.example.org",
    });
    const s = undo ? step.undo : step;
    if (!s || !("argv" in s) || !s.argv) throw new Error(`${stepId} has no command`);
    return s.argv;
  };

  test("lets only a holder of the step's role acknowledge a manual step, and says who holds it", async ({
    bot: start,
  }) => {
    const t = await boot(start);
    await reply(`!migrate start ofn-server-move ${OFN}`, CREW.lead, /run #\d+ started/);
    const prompt = await reply("!migrate next", CREW.engineer, /manual, for engineer/);
    expect(prompt.text).toContain("!migrate ack [note] by engineer (held by console:eve)");
    expect(prompt.actions).toEqual([{ label: "Acknowledge", command: "!migrate ack", style: "primary" }]);
    const no = await reply("!migrate ack", CREW.nobody, /acknowledge/);
    expect(no.text).toMatch(
      /^Only engineer \(held by console:eve\) may acknowledge step 1\/44 .*you \(console:ned\) have no roles/,
    );
    const losa = await reply("!migrate ack", CREW.losa, /acknowledge/);
    expect(losa.text).toMatch(/^Only engineer .* you \(console:olga\) have losa/);
    expect((await run("ofn-server-move"))!.steps[0]!.status).toBe("awaiting-ack");
    const ok = await reply("!migrate ack TTL is 300", CREW.engineer, /acknowledged/);
    expect(ok.text).toMatch(/^step 1\/44 "DNS TTL .*" acknowledged by eve: TTL is 300\. Next: step 2\/44/);
    expect(await t.services.jobs.recent()).toEqual([]);
  });

  test("runs an irreversible step only after a second person confirms", async ({ bot: start }) => {
    const t = await boot(start);
    await reply(`!migrate start ofn-server-move ${OFN}`, CREW.lead, /started/);
    await driveToEnd(t.driver, "ofn-server-move", { stopBefore: "switch-db" });
    sshd.clearCalls();
    const ask1 = await reply("!migrate next", CREW.lead, /is IRREVERSIBLE/);
    expect(ask1.text).toMatch(
      /^step 34\/44 "Database switch: drop the new server's database" is IRREVERSIBLE .* someone other than lena/,
    );
    expect(ask1.actions).toEqual([{ label: "Confirm", command: "!migrate confirm", style: "danger" }]);
    const self = await reply("!migrate confirm", CREW.lead, /two-person/);
    expect(self.text).toMatch(
      /^You asked for step 34\/44 .*; the two-person rule needs someone else to confirm it\. Nothing was run\./,
    );
    const eng = await reply("!migrate confirm", CREW.engineer, /needs the role/);
    expect(eng.text).toMatch(/^!migrate confirm needs the role losa or lead/);
    expect(calls()).toEqual([]);
    await reply("!migrate confirm", CREW.losa2, /queued #\d+/);
    await eventually(async () => (await run("ofn-server-move"))!.cursor === 34, "the switch to run");
    expect(calls()).toEqual([argvOf("ofn-server-move", "switch-db")]);
    const r = (await run("ofn-server-move"))!;
    expect(r.steps[33]).toMatchObject({ status: "done", by: "lena", confirmBy: "oscar" });
  });

  test("rolls the OFN move back newest first, acking manual undos, until the start", async ({
    bot: start,
  }) => {
    const t = await boot(start);
    await reply(`!migrate start ofn-server-move ${OFN}`, CREW.lead, /started/);
    await driveToEnd(t.driver, "ofn-server-move", { stopBefore: "cache" });
    sshd.clearCalls();
    await reply("!migrate rollback", CREW.engineer, /needs the role lead/);
    const first = await reply("!migrate rollback", CREW.lead, /Undo of step 17\/44/);
    expect(first.text).toMatch(/manual, for losa:\nPut the old location \/ rule back and reload nginx\./);
    const acks: string[] = [];
    for (;;) {
      const r = (await eventually(async () => {
        const x = (await run("ofn-server-move"))!;
        const busy = x.steps.some((s) => s.status === "undoing" && s.undoJob !== undefined);
        return !busy && x;
      }, "an undo to finish"))!;
      if (r.status === "rolled-back") break;
      const i = r.steps.findIndex((s) => s.status === "undoing");
      if (i < 0) throw new Error(`rollback stalled: ${JSON.stringify(r.steps.map((s) => s.status))}`);
      const role = runbooksOf(t.services.config).runbooks.get("ofn-server-move")!.steps[i]!.undo!.role!;
      acks.push(`${i + 1}:${role}`);
      await t.adapter.say("!migrate ack", role === "losa" ? CREW.losa : CREW.engineer);
    }
    expect(acks).toEqual(["17:losa", "5:engineer", "4:losa"]);
    expect(calls()).toEqual(
      ["new-dj-start", "old-dj-stop", "old-dj-monit", "deploy-new", "firewall"].map((s) =>
        argvOf("ofn-server-move", s, true),
      ),
    );
    await reply("!migrate status", CREW.engineer, /\(rolled-back\)/);
    const log = await reply("!migrate log", CREW.engineer, /run #\d+ \(rolled-back\)/);
    expect(log.text).toMatch(
      / 3\. UNDONE The old server lets the new one reach PostgreSQL \(ssh\) by eve, undo by lena/,
    );
  });

  test("stops a rollback of the OFN move at the database switch, and says so", async ({ bot: start }) => {
    const t = await boot(start);
    await reply(`!migrate start ofn-server-move ${OFN}`, CREW.lead, /started/);
    await driveToEnd(t.driver, "ofn-server-move", { stopBefore: "downtime-end" });
    sshd.clearCalls();
    const msg = await reply("!migrate rollback", CREW.lead, /irreversible/);
    expect(msg.text).toBe(
      `Nothing to undo for step(s) 38, 37, 36, 35. Stopped at step 34/44 "Database switch: drop the new server's database": it is irreversible and cannot be undone; it and the steps before it stay done. Next: step 35/44 "Create the new database" (ssh ofn-new: createdb -h localhost -U ofn_user -- openfoodnetwork) — !migrate next`,
    );
    expect(calls()).toEqual([]);
    const r = (await run("ofn-server-move"))!;
    expect(r.status).toBe("active");
    expect(r.steps.slice(0, 34).every((s) => s.status === "done")).toBe(true);
    const undo = await reply("!migrate undo", CREW.lead, /irreversible/);
    expect(undo.text).toMatch(/^Stopped at step 34\/44/);
  });

  test("undo runs the newest done step's undo, and the step can be done again", async ({ bot: start }) => {
    const t = await boot(start);
    await reply("!migrate start hkn-rails-migrate-to-prod", CREW.lead, /started/);
    await driveToEnd(t.driver, "hkn-rails-migrate-to-prod", { stopBefore: "reload" });
    sshd.clearCalls();
    await t.adapter.say("!migrate undo", CREW.lead);
    const undone = await t.adapter.waitFor((m) => /undone \(#\d+\)\. Next: step 3\/21/.test(m.text));
    expect(undone.text).toMatch(
      /^#\d+ done .*\nstep 3\/21 "The logrotate unit restarts hkn-rails\.service" undone/,
    );
    const sed = (from: string, to: string) => [
      "sed",
      "-i",
      "-e",
      `s/${from}[.]service/${to}.service/g`,
      "--",
      ".config/systemd/user/hkn-rails-logrotate.service",
    ];
    expect(calls()).toEqual([sed("hkn-rails", "hkn-rails-migrate")]);
    await t.adapter.say("!migrate next", CREW.engineer);
    await eventually(async () => (await run("hkn-rails-migrate-to-prod"))!.cursor === 3, "step 3 again");
    expect(calls()).toEqual([sed("hkn-rails", "hkn-rails-migrate"), sed("hkn-rails-migrate", "hkn-rails")]);
    // Done again, it is again the newest step to undo.
    const again = await reply("!migrate undo", CREW.lead, /undone \(#\d+\)/);
    expect(again.text).toMatch(/step 3\/21 "The logrotate unit restarts hkn-rails\.service" undone/);
    expect(calls()).toHaveLength(3);
  });

  test("reports a failed step; retry runs it again; skip needs a lead and records the reason", async ({
    bot: start,
  }) => {
    const t = await boot(start);
    sshd.behave("readlink", { exit: 1 });
    await reply("!migrate start hkn-rails-migrate-to-prod", CREW.lead, /started/);
    await t.adapter.say("!migrate next", CREW.engineer);
    const failed = await t.adapter.waitFor((m) => /FAILED/.test(m.text));
    expect(failed.text).toMatch(
      /^#\d+ FAILED \(.*\): check did not pass within 0s \(1 attempts\); last: exit 1 .*\nstep 1\/21 "The shared folder is one .*" failed\. !migrate retry, or !migrate skip <reason>\./,
    );
    await reply("!migrate next", CREW.engineer, /failed .*!migrate retry/);
    sshd.behave("readlink", {});
    await reply("!migrate retry", CREW.engineer, /queued/);
    await eventually(async () => (await run("hkn-rails-migrate-to-prod"))!.cursor === 1, "the retry");
    expect(calls()).toEqual([
      ["readlink", "-e", "--", "hkn-rails/migrate/shared"],
      ["readlink", "-e", "--", "hkn-rails/migrate/shared"],
    ]);
    await reply("!migrate skip", CREW.lead, /Say why/);
    await reply("!migrate skip done by hand", CREW.engineer, /needs the role lead/);
    const skipped = await reply("!migrate skip deploy.rb was already changed", CREW.lead, /skipped/);
    expect(skipped.text).toMatch(
      /^step 2\/21 "deploy\.rb .*" skipped by lena: deploy\.rb was already changed\. Next: step 3\/21/,
    );
    const log = await reply("!migrate log", CREW.engineer, /run #/);
    expect(log.text).toMatch(/ 2\. SKIPPED deploy\.rb .* — "deploy\.rb was already changed"/);
    expect(log.text).toMatch(/ 1\. DONE The shared folder is one .* jobs #\d+ #\d+/);
  });

  test("moves the run on when a failed step job is retried with !job retry", async ({ bot: start }) => {
    const t = await boot(start);
    sshd.behave("readlink", { exit: 1 });
    await reply("!migrate start hkn-rails-migrate-to-prod", CREW.lead, /started/);
    await t.adapter.say("!migrate next", CREW.engineer);
    const failed = await t.adapter.waitFor((m) => /^#\d+ FAILED/.test(m.text));
    const job = /^#(\d+)/.exec(failed.text)![1];
    sshd.behave("readlink", {});
    await reply(`!job retry ${job}`, CREW.engineer, /queued #\d+: .*\(retry of #\d+\)/);
    const r = await eventually(async () => {
      const x = (await run("hkn-rails-migrate-to-prod"))!;
      return x.cursor === 1 && x;
    }, "the retried step");
    expect(r.steps[0]!.status).toBe("done");
    expect(r.steps[0]!.jobs).toHaveLength(2);
    expect(calls()).toHaveLength(2);
  });

  test("keeps the rsync loop going through failed iterations, and abort stops it", async ({ bot: start }) => {
    const t = await boot(start);
    const params = `old_app=old old_spool=old.internal:/srv/x/ new_address=127.0.0.1 download_port=${new URL(http.url).port} old_file=a.dsc frontend_url=${http.url}`;
    await reply(`!migrate start librarian-migration ${params}`, CREW.lead, /started/);
    await driveToEnd(t.driver, "librarian-migration", { stopBefore: "stop-cron" });
    const before = (await run("librarian-migration"))!.loops["rsync-spool"]!;
    sshd.behave("rsync", { exit: 23 });
    t.clock.advance(60_000);
    await tickRunbooks(t.services);
    const fail = await t.adapter.waitFor((m) => /loop "rsync-spool" iteration \d+ failed/.test(m.text));
    expect(fail.text).toMatch(/exit 23 .*; the loop goes on/);
    sshd.behave("rsync", {});
    await eventually(
      async () => (await run("librarian-migration"))!.loops["rsync-spool"]!.inFlight === undefined,
      "iteration end",
    );
    t.clock.advance(60_000);
    await tickRunbooks(t.services);
    const l = await eventually(async () => {
      const x = (await run("librarian-migration"))!.loops["rsync-spool"]!;
      return x.iterations === before.iterations + 2 && x.inFlight === undefined && x;
    }, "the next iteration");
    expect(l.failures).toBe(1);
    const aborted = await reply("!migrate abort window closed", CREW.lead, /aborted/);
    expect(aborted.text).toBe(
      `librarian-migration run #${(await run("librarian-migration"))!.seq} aborted by lena: window closed. Stopped loop(s): rsync-spool (${l.iterations} iterations).`,
    );
    const count = calls().length;
    t.clock.advance(600_000);
    await tickRunbooks(t.services);
    await new Promise((r) => setTimeout(r, 300)); // the tick above starts nothing; give a wrong one time to show
    expect(calls().length).toBe(count);
    await reply("!migrate next", CREW.engineer, /^No runbook is running in this channel/);
    await reply("!migrate status", CREW.engineer, /^librarian-migration run #\d+ \(aborted\)/);
  });
});
