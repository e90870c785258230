import { join } from "node:path";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
import { ROOT } from "../harness/child.js";
import { describe, expect, type StartBot, test } from "../harness/fixtures.js";
import { ask, CREW, CREW_ROLES } from "../harness/runbook-driver.js";
import type { Sshd } from "../harness/sshd.js";

/** Steps with when: through the bot, against sshd: shown skipped in the plan, passed over by next and run. */
describe("!migrate with when: conditions", () => {
  let sshd: Sshd;
  test.beforeAll(({ runbookSshd }) => {
    sshd = runbookSshd;
  });

  async function boot(start: StartBot) {
    const bot = await start({
      roles: CREW_ROLES,
      config: { runbooks: join(ROOT, "test/fixtures/runbooks-run"), hosts: { box: sshd.hostEntry() } },
    });
    sshd.clearCalls();
    const reply = (text: string, user: string, re: RegExp) =>
      ask(bot.adapter, text, user, (m) => re.test(m.text));
    const run = async () =>
      (await getRun(bot.services, runKey(bot.services, "console", "console", "when-drill")))!;
    return { bot, reply, run };
  }

  test("a frontend run shows the other components' steps skipped and never runs them", async ({
    bot: start,
  }) => {
    const { bot, reply, run } = await boot(start);
    const plan = await reply("!migrate start when-drill component=frontend", CREW.lead, /started/);
    expect(plan.text).toContain(" 1. Backend first [ssh, skipped (when: component == backend)]");
    expect(plan.text).toContain(" 2. Everyone [ssh]");
    expect(plan.text).toContain(
      " 3. Backend or keygen [manual: losa acks, skipped (when: component in [backend, keygen])]",
    );
    expect(plan.text).toContain(" 4. Not the frontend [ssh, skipped (when: component != frontend)]");
    expect(plan.text).toMatch(/Next: step 2\/5 "Everyone"/);

    await reply("!migrate next", CREW.engineer, /queued/);
    const done = await bot.adapter.waitFor((m) => /step 2\/5 "Everyone" done/.test(m.text));
    expect(done.text).toContain(
      'step 3/5 "Backend or keygen" skipped by changebot: when: component in [backend, keygen] is false (component is frontend).',
    );
    expect(done.text).toContain(
      'step 4/5 "Not the frontend" skipped by changebot: when: component != frontend is false',
    );
    expect(done.text).toMatch(/Next: step 5\/5 "Last"/);
    await reply("!migrate run", CREW.engineer, /Run mode on/);
    await bot.adapter.waitFor((m) => /All 5 steps are done: when-drill run #\d+ finished/.test(m.text));
    expect(sshd.calls()).toEqual(["rsync [all]", "sync [last]"]);
    expect((await run()).steps.map((s) => s.status)).toEqual([
      "skipped",
      "done",
      "skipped",
      "skipped",
      "done",
    ]);
    const log = await reply("!migrate log", CREW.engineer, /\(finished\)/);
    expect(log.text).toMatch(
      / 1\. SKIPPED Backend first \(ssh\) — "when: component == backend is false \(component is frontend\)"/,
    );
  });

  test("a backend run does every step; run mode stops at the backend's manual step", async ({
    bot: start,
  }) => {
    const { bot, reply } = await boot(start);
    const plan = await reply("!migrate start when-drill component=backend", CREW.lead, /started/);
    expect(plan.text).not.toContain("skipped");
    await reply("!migrate run", CREW.engineer, /Run mode on/);
    await bot.adapter.waitFor((m) =>
      /Run mode stops at step 3\/5 "Backend or keygen": it is a manual step/.test(m.text),
    );
    await reply("!migrate ack", CREW.losa, /acknowledged/);
    await reply("!migrate run", CREW.engineer, /Run mode on/);
    await bot.adapter.waitFor((m) => /All 5 steps are done/.test(m.text));
    expect(sshd.calls()).toEqual(["lpndt [be-first]", "rsync [all]", "sync [not-fe]", "sync [last]"]);
  });
});
