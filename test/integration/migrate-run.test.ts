import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getRun, runKey, updateRun } from "../../src/domain/runbook/state.js";
import { tickRunbooks } from "../../src/domain/runbook/tick.js";
import { ROOT } from "../harness/child.js";
import { eventually } from "../harness/eventually.js";
import { afterEach, describe, expect, type StartBot, test } from "../harness/fixtures.js";
import { ask, CREW, CREW_ROLES } from "../harness/runbook-driver.js";
import { RUNBOOK_COMMANDS } from "../harness/runbook-sshd.js";
import type { Sshd } from "../harness/sshd.js";

/** `!migrate run` against sshd: automated steps one after another, and every kind of gate. */
describe("!migrate run: goes on by itself until a gate", () => {
  let sshd: Sshd;
  let bot: Awaited<ReturnType<StartBot>> | undefined;
  test.beforeAll(({ runbookSshd }) => {
    sshd = runbookSshd;
  });
  afterEach(() => {
    bot = undefined;
    for (const c of RUNBOOK_COMMANDS) sshd.behave(c, {});
  });

  async function boot(start: StartBot) {
    bot = await start({
      roles: CREW_ROLES,
      config: { runbooks: join(ROOT, "test/fixtures/runbooks-run"), hosts: { box: sshd.hostEntry() } },
    });
    sshd.clearCalls();
    return bot;
  }
  const run = async () =>
    (await getRun(bot!.services, runKey(bot!.services, "console", "console", "run-drill")))!;
  const reply = (text: string, user: string, re: RegExp) =>
    ask(bot!.adapter, text, user, (m) => re.test(m.text));
  const status = async () => (await run()).steps.map((s) => s.status);
  /** Waits until step i (0-based) has this status. */
  const at = (i: number, want: string) =>
    eventually(async () => (await status())[i] === want, `step ${i + 1} to be ${want}`);

  test("runs the automated steps, stops at a manual step, waits for a second person's confirm and goes on, stops before a pause step", async ({
    bot: start,
  }) => {
    await boot(start);
    await reply("!migrate start run-drill", CREW.lead, /run #\d+ started/);
    await reply("!migrate run", CREW.engineer, /Run mode on/);
    const gate = await bot!.adapter.waitFor((m) =>
      /Run mode stops at step 3\/8 "Look": it is a manual step/.test(m.text),
    );
    expect(gate.text).toContain("!migrate ack [note] by engineer");
    await at(2, "awaiting-ack");
    expect(await status()).toEqual(["done", "done", "awaiting-ack", ...Array(5).fill("pending")]);
    expect((await run()).auto).toBeUndefined();
    expect(sshd.calls()).toEqual(["lpndt [one]", "lpndt [two]"]);

    await reply("!migrate ack", CREW.engineer, /acknowledged by eve/);
    expect((await status())[3]).toBe("pending"); // a manual step ends run mode: nothing started after the ack
    await reply("!migrate run", CREW.lead, /Run mode on/);
    await bot!.adapter.waitFor((m) => /step 5\/8 "Drop" is IRREVERSIBLE/.test(m.text));
    await at(4, "awaiting-confirm");
    expect(sshd.calls()).toEqual(["lpndt [one]", "lpndt [two]", "rsync [three]"]);
    const st = await reply("!migrate status", CREW.engineer, /^run-drill run #/);
    expect(st.text).toContain("Run mode: on (lena); !migrate stop halts it.");
    const self = await reply("!migrate confirm", CREW.lead, /two-person rule/);
    expect(self.text).toMatch(/needs someone else to confirm/);
    expect(sshd.calls()).not.toContain("dropdb [old]");

    await reply("!migrate confirm", CREW.losa, /./);
    await bot!.adapter.waitFor((m) =>
      /Run mode stops at step 7\/8 "Fifth": it is marked pause: true/.test(m.text),
    );
    expect(await status()).toEqual([...Array(6).fill("done"), "pending", "pending"]);
    expect(sshd.calls()).toEqual([
      "lpndt [one]",
      "lpndt [two]",
      "rsync [three]",
      "dropdb [old]",
      "rsync [four]",
    ]);
    expect((await run()).auto).toBeUndefined();

    // Asked for, a pause step is done, and run mode goes on to the end.
    await reply("!migrate run", CREW.engineer, /Run mode on/);
    await bot!.adapter.waitFor((m) => /All 8 steps are done: run-drill run #\d+ finished/.test(m.text));
    expect(sshd.calls()).toEqual([
      "lpndt [one]",
      "lpndt [two]",
      "rsync [three]",
      "dropdb [old]",
      "rsync [four]",
      "rsync [five]",
      "sync [six]",
    ]);
  });

  test("stops at a failed step and starts nothing after it", async ({ bot: start }) => {
    await boot(start);
    sshd.behave("lpndt", { exit: 3, stderr: ["no such service"] });
    await reply("!migrate start run-drill", CREW.lead, /started/);
    await reply("!migrate run", CREW.engineer, /Run mode on/);
    await bot!.adapter.waitFor((m) => /Run mode stops at step 1\/8 "First": it failed/.test(m.text));
    expect(await status()).toEqual(["failed", ...Array(7).fill("pending")]);
    expect((await run()).auto).toBeUndefined();
    expect(sshd.calls()).toEqual(["lpndt [one]"]);
    const again = await reply("!migrate run", CREW.engineer, /failed/);
    expect(again.text).toMatch(/!migrate retry, or !migrate skip/);
  });

  test("!migrate stop lets the step in flight finish and starts nothing after it", async ({ bot: start }) => {
    await boot(start);
    const release = join(sshd.dir, `release-${process.pid}-${Date.now()}`);
    sshd.behave("lpndt", { holdUntil: release });
    await reply("!migrate start run-drill", CREW.lead, /started/);
    await reply("!migrate run", CREW.engineer, /Run mode on/);
    await eventually(() => sshd.calls().length === 1, "the first step to begin on the host");
    const stopped = await reply("!migrate stop", CREW.engineer, /Run mode stopped/);
    expect(stopped.text).toMatch(/Run mode stopped by eve; step 1\/8 "First" in flight finishes/);
    writeFileSync(release, "");
    await at(0, "done");
    // Run mode goes on in the same change of the run that ends a step: had it still been on, step 2 would be running now.
    expect((await status())[1]).toBe("pending");
    expect(sshd.calls()).toEqual(["lpndt [one]"]);
    const none = await reply("!migrate stop", CREW.engineer, /Run mode is not on/);
    expect(none.text).toContain("!migrate run turns it on");
  });

  test("run mode found on at a step boundary (a process died between two steps) goes on from the scheduler's tick", async ({
    bot: start,
  }) => {
    await boot(start);
    await reply("!migrate start run-drill", CREW.lead, /started/);
    const key = runKey(bot!.services, "console", "console", "run-drill");
    await updateRun(bot!.services, key, (r) => {
      r.auto = { by: "eve", byId: "console:eve", roles: ["engineer"] };
    });
    await tickRunbooks(bot!.services);
    await bot!.adapter.waitFor((m) => /Run mode stops at step 3\/8 "Look": it is a manual step/.test(m.text));
    expect(sshd.calls()).toEqual(["lpndt [one]", "lpndt [two]"]);
  });
});
