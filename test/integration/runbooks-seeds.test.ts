import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
import { pageServer } from "../harness/page-server.js";
import { bootShipped } from "../harness/runbook-boot.js";
import { ask, CREW, driveToEnd, okServer, sshdCall } from "../harness/runbook-driver.js";
import { passThrough, RUNBOOK_COMMANDS, sshdHome } from "../harness/runbook-sshd.js";
import type { Sshd } from "../harness/sshd.js";

const OFN =
  "new_ip=127.0.0.2 new_domain=prod2.example.org domain=example.org old_login=u@old.example.org old_db_host=old.example.org";
const PAGE = "apps/openfoodnetwork/current/public/index.html";
const APP_START = sshdCall(["sudo", "/etc/init.d/unicorn_openfoodnetwork", "start"]);
const PAGE_OFF = sshdCall(["rm", "-f", "--", PAGE]);

describe("the shipped runbooks do what their seeds say, against a real sshd", () => {
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
    rmSync(join(sshdHome(sshd), "apps"), { recursive: true, force: true });
    rmSync(hold, { force: true });
  });
  afterAll(async () => {
    await http?.close();
  });

  const boot = (start: StartBot, extra: Record<string, unknown> = {}) => bootShipped(start, sshd, extra);

  test("OFN: a rollback from the dump has database.yml acknowledged back before the app starts again", async ({
    bot,
  }) => {
    const { d, reply, step } = await boot(bot);
    // The maintenance page is written by the step itself, in the app's public folder.
    mkdirSync(join(sshdHome(sshd), "apps/openfoodnetwork/current/public"), { recursive: true });
    passThrough(sshd, "sh", "/bin/sh");
    await reply(`!migrate start ofn-server-move ${OFN}`, CREW.lead, /started/);
    await driveToEnd(d, "ofn-server-move", { stopBefore: "switch-db" });
    expect(readFileSync(join(sshdHome(sshd), PAGE), "utf8")).toMatch(/Please try again in five minutes/);
    sshd.clearCalls();

    const first = await reply("!migrate rollback", CREW.lead, /Point database\.yml back/);
    expect(first.text).toMatch(
      /manual, for engineer:\nPoint database\.yml back at the old database \(old\.example\.org\)/,
    );
    // The prompt is said once the run is written: the revert is the step waiting by then.
    expect((await step("ofn-server-move", "database-yml")).status).toBe("undoing");
    // Until the revert is acknowledged, only the dump was removed: the app is stopped, the page is up.
    expect(sshd.calls()).toEqual([sshdCall(["rm", "-f", "--", "/tmp/openfoodweb_production.sql"])]);
    const atAck = sshd.calls().length;
    await d.adapter.say("!migrate ack database.yml points at old.example.org again", CREW.engineer);
    await eventually(
      async () => (await step("ofn-server-move", "downtime-start")).status === "undone",
      "the undos after the ack",
    );
    const after = sshd.calls().slice(atAck);
    // Then the app starts (against the old database), and only then does the page go.
    expect(after.slice(0, 2)).toEqual([APP_START, PAGE_OFF]);
    expect(sshd.calls().indexOf(APP_START)).toBeGreaterThanOrEqual(atAck);
  });

  test("OFN: old-db-idle fails while the old database still has sessions", async ({ bot }) => {
    const { d, clock, reply, step } = await boot(bot);
    await reply(`!migrate start ofn-server-move ${OFN}`, CREW.lead, /started/);
    await driveToEnd(d, "ofn-server-move", { stopBefore: "old-db-idle" });
    // Two sessions left on the old database; the count is read through sudo -u postgres psql.
    sshd.behave("sudo", { output: ["2"], holdUntil: hold });
    sshd.clearCalls();
    const failing = ask(d.adapter, "!migrate next", CREW.engineer, (m) => /FAILED/.test(m.text));
    await eventually(
      async () => sshd.calls().some((c) => c.startsWith("sudo [-u] [postgres] [--] [psql]")),
      "the count",
    );
    clock.advance(3 * 60_000);
    writeFileSync(hold, "");
    const failed = await failing;
    expect(failed.text).toMatch(/check did not pass within 2m .*the output does not match \/\^0\$\//);
    expect((await step("ofn-server-move", "old-db-idle")).status).toBe("failed");
  });

  test("hkn-rails: the run stops when the app does not answer on its unit socket", async ({ bot }) => {
    const { d, clock, reply, step } = await boot(bot);
    await reply("!migrate start hkn-rails-migrate-to-prod", CREW.lead, /started/);
    await driveToEnd(d, "hkn-rails-migrate-to-prod", { stopBefore: "socket" });
    // Nothing listens on the socket; the attempt ends once the clock is past the deadline.
    sshd.behave("curl", { exit: 7, stderr: ["curl: (7) Couldn't connect to server"], holdUntil: hold });
    sshd.clearCalls();
    const failing = ask(d.adapter, "!migrate next", CREW.engineer, (m) => /FAILED/.test(m.text));
    await eventually(async () => sshd.calls().length === 1, "the socket to be asked");
    expect(sshd.calls()).toEqual([
      sshdCall([
        "curl",
        "-fsS",
        "--max-time",
        "10",
        "--unix-socket",
        "/srv/apps/hkn/hkn.sock",
        "--",
        "http://localhost/",
      ]),
    ]);
    clock.advance(4 * 60_000);
    writeFileSync(hold, "");
    const failed = await failing;
    expect(failed.text).toMatch(/check did not pass within 3m .*exit 7/);
    expect((await step("hkn-rails-migrate-to-prod", "socket")).status).toBe("failed");
  });

  test("Copr: the backend's elastic IP move can be undone", async ({ bot }) => {
    const { d, reply } = await boot(bot);
    await reply(
      `!migrate start copr-instance-upgrade component=backend instance=devel data_mount=/srv/copr stop_unit=copr.target check_url=${http.url}`,
      CREW.lead,
      /started/,
    );
    await driveToEnd(d, "copr-instance-upgrade", { stopBefore: "ipv6" });
    const undo = await reply("!migrate undo", CREW.lead, /Undo of step/);
    expect(undo.text).toMatch(/manual, for losa:\nAttach the copr-be elastic IP to the old server again\./);
  });

  test("DB deployment: the budget is read over SSH and an over-budget merge stops the run", async ({
    bot,
  }) => {
    const { d, reply, step } = await boot(bot);
    // 2 × 2500.5 s + 10 m is about 93 minutes: more than the 90-minute window.
    sshd.behave("sh", {
      output: ["2208-30-0 applied just now in 2000.5 seconds", "2208-31-0 applied just now in 500 seconds"],
    });
    await reply(
      `!migrate start launchpad-db-deployment revision=10381 site_url=${http.url}`,
      CREW.lead,
      /started/,
    );
    const failed = await ask(d.adapter, "!migrate next", CREW.engineer, (m) => /FAILED/.test(m.text));
    expect(failed.text).toMatch(/OVER BUDGET: staging \(2 patches\) 41m 41s → production estimate/);
    expect(sshd.calls()).toEqual([
      sshdCall([
        "sh",
        "-c",
        'grep -h -e "applied just now in" -- $1',
        "sh",
        "/x/launchpad.net-logs/staging/sourcherry/*-staging_restore.log",
      ]),
    ]);
    expect((await step("launchpad-db-deployment", "budget")).status).toBe("failed");
  });

  test("DB deployment: a stylesheet that does not load fails the post-rollout check", async ({ bot }) => {
    const site = await pageServer({ broken: "/style.css" });
    try {
      const { d, clock, reply, step } = await boot(bot);
      await reply(
        `!migrate start launchpad-db-deployment revision=10381 site_url=${site.url}`,
        CREW.lead,
        /started/,
      );
      await driveToEnd(d, "launchpad-db-deployment", { stopBefore: "site-assets" });
      // The page is held until the clock is past the check's deadline: its one attempt is its last.
      const release = site.holdNext();
      const failing = ask(d.adapter, "!migrate next", CREW.engineer, (m) => /FAILED/.test(m.text));
      await eventually(() => site.held(), "the page to be asked for");
      clock.advance(6 * 60_000);
      release();
      const failed = await failing;
      expect(failed.text).toMatch(
        /but 1 of its 2 references fail: http:\/\/127\.0\.0\.1:\d+\/style\.css → 404/,
      );
      expect((await step("launchpad-db-deployment", "site-assets")).status).toBe("failed");
    } finally {
      await site.close();
    }
  });
});
