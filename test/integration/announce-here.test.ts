import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ANNOUNCE_QUEUE } from "../../src/announce/delayed.js";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { ManualClock } from "../../src/core/clock.js";
import { afterAll, beforeAll, describe, expect, type StartBot, test } from "../harness/fixtures.js";

/**
 * With no `announce:` targets, an announcement goes to the channel the command,
 * run or downtime lives in, and the reply says so (issue #10, point 4). The bot
 * is in "console" and "#ops"; every command here is typed in "#ops".
 */
const H = 3_600_000;
const HERE = "announced here (no announce: targets configured)";

describe("announcements with no announce: targets", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "changebot-here-"));
    writeFileSync(
      join(dir, "tell.yaml"),
      [
        "id: tell",
        "title: Tell people",
        "steps:",
        "  - { id: say, kind: announce, title: Say it, text: The deployment is starting. }",
        "  - { id: down, kind: downtime-start, title: Down, text: Launchpad is down now. }",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = (bot: StartBot, clock?: ManualClock) => {
    const adapter = new MemoryAdapter("console", 390, ["console", "#ops"]);
    return bot({
      adapter,
      clock,
      roles: { lead: ["alice"] },
      config: { announce: [], runbooks: dir },
    });
  };
  const inOps = { channel: "#ops" };

  test("!rc-mode on posts its announcement in the channel it was typed in, and says so", async ({ bot }) => {
    const t = await boot(bot);
    await t.adapter.say("!rc-mode on db-stable", "alice", inOps);
    const a = await t.adapter.waitFor((m) => m.kind === "announce");
    expect(a).toMatchObject({ target: "#ops", text: expect.stringMatching(/^PQM is in RC mode \(alice/) });
    const done = await t.adapter.waitFor((m) => /^#1 done/.test(m.text));
    expect(done.target).toBe("#ops");
    expect(done.text).toContain(`RC mode is on; topic segment "PQM in RC mode" set; ${HERE}`);
  });

  test("a runbook's announce step and downtime marker post in the run's channel, and say so", async ({
    bot,
  }) => {
    const t = await boot(bot);
    await t.adapter.say("!migrate start tell", "alice", inOps);
    await t.adapter.waitFor((m) => /run #1 started/.test(m.text));
    await t.adapter.say("!migrate next", "alice", inOps);
    const a = await t.adapter.waitFor((m) => m.kind === "announce");
    expect(a).toMatchObject({ target: "#ops", text: "The deployment is starting." });
    const step = await t.adapter.waitFor((m) => m.text.includes(HERE));
    expect(step.target).toBe("#ops");
    await t.adapter.waitFor((m) => m.text.includes("Next: step 2/2"));
    await t.adapter.say("!migrate next", "alice", inOps);
    const b = await t.adapter.waitFor((m) => m.kind === "announce" && m.text === "Launchpad is down now.");
    expect(b.target).toBe("#ops");
    const said = await t.adapter.waitFor((m) => m.text.includes(HERE) && m.text.includes("downtime started"));
    expect(said.target).toBe("#ops");
    expect(t.adapter.sent.filter((m) => m.kind === "announce" && m.target !== "#ops")).toEqual([]);
  });

  test("a downtime's announcements go to the channel it was scheduled in, now and when due", async ({
    bot,
  }) => {
    const T0 = Date.UTC(2026, 11, 3, 14, 0);
    const clock = new ManualClock(T0 - 50 * H);
    const t = await boot(bot, clock);
    await t.adapter.say(`!downtime schedule ${new Date(T0).toISOString()} DB deployment`, "alice", inOps);
    const reply = await t.adapter.waitFor((m) => m.text.startsWith("Scheduled #1"));
    expect(reply.text).toContain("Its announcements go to this channel (no announce: targets configured).");
    const now = await t.adapter.waitFor((m) => m.kind === "announce");
    expect(now).toMatchObject({ target: "#ops", text: expect.stringContaining("scheduled") });
    // The merge cut-off reminder, promoted as BullMQ's timer would at its due time.
    clock.set(T0 - 48 * H);
    const job = await t.services.queues.get(ANNOUNCE_QUEUE).getJob("dt-1-r1-merge-cutoff");
    await job!.promote();
    const due = await t.adapter.waitFor((m) => m.kind === "announce" && m.text !== now.text);
    expect(due.target).toBe("#ops");
    expect(t.adapter.sent.filter((m) => m.kind === "announce" && m.target !== "#ops")).toEqual([]);
  });
});
