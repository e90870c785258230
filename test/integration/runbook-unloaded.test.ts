import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.js";
import { tickRunbooks } from "../../src/domain/runbook/tick.js";
import { afterAll, beforeAll, describe, expect, type StartBot, test } from "../harness/fixtures.js";
import { capturingLogger } from "../harness/log.js";

const NOTICE = "runbook gone is no longer loaded; !migrate abort to end run #1";

describe("an active run whose runbook is no longer loaded", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "changebot-unloaded-"));
    writeFileSync(
      join(dir, "gone.yaml"),
      [
        "id: gone",
        "title: A runbook that goes away",
        "steps:",
        "  - { id: pause, kind: wait, title: Pause, duration: 1m }",
        "  - { id: look, kind: manual, role: lead, title: Look around, instructions: Say when. }",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = (bot: StartBot, runbooks: string, clock: ManualClock) => {
    const cap = capturingLogger();
    return bot({
      clock,
      log: cap.log,
      roles: { lead: ["lena"] },
      config: { runbooks },
    }).then((t) => ({ ...t, cap }));
  };
  const warnings = (cap: ReturnType<typeof capturingLogger>) =>
    cap.lines.filter((l) => l.level === 40 && String(l.msg).includes("no longer loaded"));

  test("tells the channel once, logs once per process, and lets the run be aborted", async ({ bot }) => {
    const clock = new ManualClock(Date.parse("2026-11-21T12:00:00Z"));
    const first = await boot(bot, dir, clock);
    await first.adapter.say("!migrate start gone", "lena");
    await first.adapter.waitFor((m) => /run #1 started/.test(m.text));
    await first.stop();

    const empty = mkdtempSync(join(tmpdir(), "changebot-norunbooks-"));
    const second = await boot(bot, empty, clock);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await tickRunbooks(second.services);
    }
    await second.adapter.waitFor((m) => m.text === NOTICE);
    expect(warnings(second.cap)).toHaveLength(1);
    expect(warnings(second.cap)[0]!.msg).toBe(NOTICE);
    await second.stop();

    // A restart still without the runbook: the log says it again, the channel does not.
    const third = await boot(bot, empty, clock);
    try {
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        await tickRunbooks(third.services);
      }
      expect(warnings(third.cap)).toHaveLength(1);
      await third.adapter.say("!migrate abort runbook removed", "lena");
      const aborted = await third.adapter.waitFor((m) => /aborted/.test(m.text));
      expect(aborted.text).toBe("gone run #1 aborted by lena: runbook removed.");
      for (let i = 0; i < 3; i++) {
        clock.advance(1000);
        await tickRunbooks(third.services);
      }
      expect(warnings(third.cap)).toHaveLength(1);
      const told = [...second.adapter.texts(), ...third.adapter.texts()].filter((t) =>
        t.includes("no longer loaded"),
      );
      expect(told).toEqual([NOTICE]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
