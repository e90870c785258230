import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "../harness/fixtures.js";

describe("!db-budget <host>:<log glob> against a real sshd", () => {
  let logs: string;
  test.beforeAll(async ({ sshd }) => {
    logs = join(sshd.dir, "staging-logs");
    mkdirSync(logs);
    // Two monthly restores: 2208-30-0 appears in both and counts once, with its last time.
    writeFileSync(
      join(logs, "2011-01-staging_restore.log"),
      "2011-01-03 restore started\n2208-30-0 applied just now in 60 seconds\n2208-31-0 applied just now in 120.5 seconds\n",
    );
    writeFileSync(
      join(logs, "2011-02-staging_restore.log"),
      "2208-30-0 applied just now in 70.5 seconds\nINFO 2208-32-0 applied just now in 9.5 seconds\nrestore done\n",
    );
    writeFileSync(join(logs, "2011-03-other.log"), "2208-99-0 applied just now in 9999 seconds\n");
  });
  test("greps the staging restore logs over SSH and sums them into a verdict", async ({ bot, sshd }) => {
    const t = await bot({
      roles: { engineer: ["eng"] },
      config: { hosts: { staging: sshd.hostEntry() }, dbBudget: { logs: { staging: [logs] } } },
    });
    // Refused before anything is queued: the next job is still #1.
    await t.adapter.say("!db-budget staging:-", "eng");
    await t.adapter.waitFor((m) => m.text.startsWith('refused staging:-: it starts with "-"'));
    await t.adapter.say("!db-budget staging:/etc/*", "eng");
    await t.adapter.waitFor((m) => m.text.startsWith("refused staging:/etc/*: not under a log folder"));
    await t.adapter.say(`!db-budget staging:${logs}/2011-*-staging_restore.log`, "eng");
    await t.adapter.waitFor(
      (m) => m.text === `queued #1: db-budget staging:${logs}/2011-*-staging_restore.log`,
    );
    const r = await t.adapter.waitFor((m) => /^#1 (done|FAILED)/.test(m.text), 20_000);
    // 70.5 + 120.5 + 9.5 = 200.5 s staging → 2 × 200.5 s + 10 m = 16m 41s.
    expect(r.text).toMatch(
      /^#1 done .*Within budget: staging \(3 patches\) 3m 21s → production estimate 2 × 3m 21s \+ 10m = 16m 41s, fits the 1h 30m window/,
    );
    expect(r.text).toContain("2208-30-0 70.5s");
    expect(r.text).not.toContain("2208-99-0");

    await t.adapter.say(`!db-budget staging:${logs}/1999-*.log`, "eng");
    const none = await t.adapter.waitFor((m) => /^#2 (done|FAILED)/.test(m.text), 20_000);
    expect(none.text).toMatch(/^#2 FAILED .*no log file matches that glob/);

    await t.adapter.say(`!db-budget staging:${logs}/2011-03-other.log window=2h`, "eng");
    const over = await t.adapter.waitFor((m) => /^#3 (done|FAILED)/.test(m.text), 20_000);
    expect(over.text).toMatch(/OVER BUDGET: staging \(1 patch\) .* more than the 2h window/);
  }, 60_000);
});
