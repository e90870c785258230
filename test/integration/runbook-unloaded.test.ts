import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { tickRunbooks } from "../../src/domain/runbook/tick.js";
import { startTestBot } from "../harness/bot.js";
import { capturingLogger } from "../harness/log.js";
import { startRedis } from "../harness/servers.js";

const NOTICE = "runbook gone is no longer loaded; !migrate abort to end run #1";

describe("an active run whose runbook is no longer loaded", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedis();
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
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = (runbooks: string, prefix: string, clock: ManualClock) => {
    const cap = capturingLogger();
    return startTestBot({
      redisUrl: redis.url,
      prefix,
      clock,
      log: cap.log,
      roles: { lead: ["lena"] },
      config: { runbooks },
    }).then((t) => ({ ...t, cap }));
  };
  const warnings = (cap: ReturnType<typeof capturingLogger>) =>
    cap.lines.filter((l) => l.level === 40 && String(l.msg).includes("no longer loaded"));

  it("tells the channel once, logs once per process, and lets the run be aborted", async () => {
    const clock = new ManualClock(Date.parse("2026-11-21T12:00:00Z"));
    const prefix = `unl${Date.now().toString(36)}`;
    const first = await boot(dir, prefix, clock);
    await first.adapter.say("!migrate start gone", "lena");
    await first.adapter.waitFor((m) => /run #1 started/.test(m.text));
    await first.stop();

    const empty = mkdtempSync(join(tmpdir(), "changebot-norunbooks-"));
    const second = await boot(empty, prefix, clock);
    try {
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        await tickRunbooks(second.services);
      }
      await second.adapter.waitFor((m) => m.text === NOTICE);
      expect(warnings(second.cap)).toHaveLength(1);
      expect(warnings(second.cap)[0]!.msg).toBe(NOTICE);
    } finally {
      await second.stop();
    }

    // A restart still without the runbook: the log says it again, the channel does not.
    const third = await boot(empty, prefix, clock);
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
      await third.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
