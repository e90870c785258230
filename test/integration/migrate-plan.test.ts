import { join } from "node:path";
import { ROOT } from "../harness/child.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { ask, CREW, CREW_ROLES } from "../harness/runbook-driver.js";
import { RUNBOOK_COMMANDS } from "../harness/runbook-sshd.js";

/**
 * On the console (as on Slack) length holds nothing up: `!migrate start` shows
 * the whole plan, `!migrate plan` answers where it was asked, and run mode
 * reports each step with its output. (IRC's brief form: irc-migrate-brief.test.ts.)
 */
describe("!migrate plan and run on the console: everything where it was asked", () => {
  test("the whole plan at start and on demand, with each step's state; run mode shows each step's output", async ({
    bot: start,
    runbookSshd,
  }) => {
    const bot = await start({
      roles: CREW_ROLES,
      config: {
        runbooks: join(ROOT, "test/fixtures/runbooks-brief"),
        hosts: { box: runbookSshd.hostEntry() },
      },
    });
    const a = bot.adapter;
    try {
      const started = await ask(a, "!migrate start brief-drill", CREW.lead, (m) =>
        /run #\d+ started/.test(m.text),
      );
      expect(started.text.split("\n").filter((l) => /^ ?\d+\. /.test(l))).toHaveLength(12);
      expect(a.sent.some((m) => m.target !== "console")).toBe(false);

      runbookSshd.behave("rsync", { output: ["copied file-a"] });
      await ask(a, "!migrate run", CREW.engineer, (m) => /Run mode on/.test(m.text));
      const done = await a.waitFor((m) => /step 1\/12 "Copy the uploads" done/.test(m.text), 20_000);
      expect(done.text).toContain("copied file-a");
      await a.waitFor((m) => /Run mode stops at step 4\/12/.test(m.text), 20_000);

      const plan = await ask(a, "!migrate plan", CREW.losa, (m) =>
        /^brief-drill run #\d+ \(active\)/.test(m.text),
      );
      const lines = plan.text.split("\n");
      expect(lines.filter((l) => /^ ?\d+\. /.test(l))).toHaveLength(12);
      expect(lines).toContain(" 1. Copy the uploads [ssh, DONE]");
      expect(lines.find((l) => l.startsWith(" 4. "))).toMatch(
        /^ 4\. Check the new site \[manual.*, AWAITING-ACK, ← now\]$/,
      );
      expect(lines).toContain(" 6. Drop the old database [ssh, IRREVERSIBLE]");
      expect(plan.target).toBe("console");
    } finally {
      for (const c of RUNBOOK_COMMANDS) runbookSshd.behave(c, {});
    }
  });
});
