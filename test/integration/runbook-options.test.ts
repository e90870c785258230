import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.js";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
import { afterAll, beforeAll, describe, expect, test } from "../harness/fixtures.js";
import { ask, CREW, CREW_ROLES, driveToEnd, startRunbookBot } from "../harness/runbook-driver.js";

/**
 * A runbook value starting with "-" would be read as an option by the command it
 * reaches, whatever the quoting. Refused at start unless the parameter allows it;
 * where allowed, `--` before the operands keeps it a file name (real cp and ls).
 */
const FIXTURE = `id: dash-operand
title: Copy a file whose name may start with a dash
parameters:
  x: { description: "any text; no pattern" }
  dir: { pattern: "/[A-Za-z0-9._/-]+" }
  file: { allowLeadingDash: true, pattern: "[A-Za-z0-9._-]+" }
steps:
  - { id: copy, kind: ssh, title: "Copy \${file} (\${x})", host: box, argv: [env, -C, "\${dir}", cp, --, "\${file}", copied] }
  - { id: list, kind: ssh, title: "List \${file}", host: box, argv: [env, -C, "\${dir}", ls, -l, --, "\${file}"] }
`;

const LIBRARIAN = (over: Record<string, string>) =>
  Object.entries({
    old_app: "launchpad-librarian-old",
    old_spool: "old-librarian.internal:/srv/launchpad/librarian/",
    new_address: "127.0.0.1",
    old_file: "12345/hello_1.0.dsc",
    frontend_url: "http://127.0.0.1/",
    ...over,
  })
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
const OFN = (over: Record<string, string>) =>
  Object.entries({
    new_ip: "127.0.0.2",
    new_domain: "prod2.example.org",
    domain: "example.org",
    old_login: "ubuntu@old.example.org",
    old_db_host: "old.example.org",
    ...over,
  })
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

describe("runbook values that would become options, and mix-ups, against real sshd", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "changebot-dash-"));
    mkdirSync(join(work, "runbooks"));
    writeFileSync(join(work, "runbooks", "dash-operand.yaml"), FIXTURE);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("refuses the librarian rsync source -essh:/, OFN's old_login -e…, a port of -1 and old == new, at start", async ({
    bot,
    runbookSshd: fakes,
  }) => {
    const t = await startRunbookBot(bot, fakes);
    fakes.clearCalls();
    const refused = (cmd: string, why: string) =>
      ask(t.adapter, cmd, CREW.lead, (m) => m.text.startsWith("Cannot start")).then((m) => {
        expect(m.text).toContain(why);
      });
    await refused(
      `!migrate start librarian-migration ${LIBRARIAN({ old_spool: "-essh:/" })}`,
      'old_spool must not start with "-" (a command would read "-essh:/" as an option)',
    );
    await refused(
      `!migrate start librarian-migration ${LIBRARIAN({ download_port: "-1" })}`,
      "download_port must be at least 1, not -1",
    );
    await refused(
      `!migrate start librarian-migration ${LIBRARIAN({ old_app: "launchpad-librarian" })}`,
      'old_app and new_app must differ (both are "launchpad-librarian")',
    );
    await refused(
      `!migrate start ofn-server-move ${OFN({ old_login: "-essh@old.example.org" })}`,
      'old_login must not start with "-"',
    );
    await refused(
      `!migrate start ofn-server-move ${OFN({ old_db_host: "prod2.example.org" })}`,
      'old_db_host and new_domain must differ (both are "prod2.example.org")',
    );
    for (const id of ["librarian-migration", "ofn-server-move"])
      expect(await getRun(t.services, runKey(t.services, "console", "console", id))).toBeFalsy();
    expect(fakes.calls()).toEqual([]);
    // With good values it starts.
    await ask(t.adapter, `!migrate start ofn-server-move ${OFN({})}`, CREW.lead, (m) =>
      /^ofn-server-move run #\d+ started/.test(m.text),
    );
  }, 60_000);

  test("refuses x=--version and x=-rf for a string parameter without a pattern; an allowed dash value stays an operand", async ({
    bot,
    sshd: real,
  }) => {
    const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
    const t = await bot({
      clock,
      roles: CREW_ROLES,
      config: { runbooks: join(work, "runbooks"), hosts: { box: real.hostEntry() } },
    });
    const dir = join(work, "files");
    mkdirSync(dir);
    writeFileSync(join(dir, "--version"), "the file\n");
    for (const bad of ["--version", "-rf"]) {
      const m = await ask(
        t.adapter,
        `!migrate start dash-operand x=${bad} dir=${dir} file=--version`,
        CREW.lead,
        (r) => r.text.startsWith("Cannot start"),
      );
      expect(m.text).toMatch(/^Cannot start dash-operand: x must not start with "-"/);
    }
    expect(await getRun(t.services, runKey(t.services, "console", "console", "dash-operand"))).toBeFalsy();

    await ask(t.adapter, `!migrate start dash-operand x=ok dir=${dir} file=--version`, CREW.lead, (m) =>
      m.text.includes("run #"),
    );
    const result = await driveToEnd({ services: t.services, adapter: t.adapter, clock }, "dash-operand");
    expect(result.run.status).toBe("finished");
    // cp copied the file named --version (without --, it would print its version and exit 0).
    expect(readFileSync(join(dir, "copied"), "utf8")).toBe("the file\n");
    const ls = await t.services.jobs.log(result.run.steps[1]!.job!);
    expect(ls).toMatch(/ --version\n/);
    expect(ls).not.toContain("coreutils");
  }, 60_000);
});
