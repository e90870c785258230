import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Bot } from "../../src/app.js";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { parseConfig } from "../../src/config/load.js";
import { loadRunbooks } from "../../src/config/runbook-load.js";
import { ManualClock } from "../../src/core/clock.js";
import { ConfigError } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/log.js";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
import { noteKind, notes } from "../fixtures/step-kind-note.js";
import { eventually } from "../harness/eventually.js";
import { ask } from "../harness/runbook-driver.js";
import { startRedis } from "../harness/servers.js";

/**
 * Issue #11: a step kind is one module. The `note` kind lives only in
 * test/fixtures/step-kind-note.ts and reaches the bot through BotOptions.stepKinds;
 * it runs through `!migrate next`, undo and rollback like a built-in kind.
 */

const RUNBOOK = `id: notes
title: Notes between ordinary steps
steps:
  - { kind: note, title: First note, text: first }
  - { kind: manual, title: Look at the notes, role: engineer, instructions: Read them. }
  - { kind: note, title: Second note, text: second }
  - kind: topic
    title: Say so in the topic
    segment: notes in progress
    undo: { kind: topic, clear: true }
  - { kind: manual, title: Final look, role: engineer, instructions: Read them again. }
`;

describe("a step kind from outside the engine", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let dir: string;
  let bot: Bot | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "changebot-kind-"));
    writeFileSync(join(dir, "notes.yaml"), RUNBOOK);
  });
  afterEach(async () => {
    await bot?.stop(2000);
    bot = undefined;
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const configFor = (runbooks: string) =>
    parseConfig({
      keyPrefix: `kind${Math.random().toString(36).slice(2, 8)}`,
      networks: { console: { user: "tester", channel: "console" } },
      roles: { lead: ["console:lena"], engineer: ["console:eve"] },
      announce: ["console:console"],
      jobs: { lockMs: 2000, stalledCheckMs: 1000 },
      runbooks,
    });

  it("is validated by its own schema, and unknown to a bot not given it", () => {
    const config = configFor(dir);
    expect(loadRunbooks(config, [noteKind.schema]).runbooks.get("notes")!.steps[0]).toMatchObject({
      kind: "note",
      text: "first",
      id: "step-1",
    });
    expect(() => loadRunbooks(config)).toThrow(/unknown step kind "note"/);
    const bad = mkdtempSync(join(tmpdir(), "changebot-kind-bad-"));
    try {
      writeFileSync(join(bad, "bad.yaml"), RUNBOOK.replace("text: second", "text: two words"));
      expect(() => loadRunbooks(configFor(bad), [noteKind.schema])).toThrow(ConfigError);
      expect(() => loadRunbooks(configFor(bad), [noteKind.schema])).toThrow(
        'steps[2] "Second note" text: a note is one word, without spaces',
      );
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it("runs through next, undo and rollback, its perform and undo each running once per request", async () => {
    const adapter = new MemoryAdapter("console", 390, ["console"]);
    bot = new Bot({
      config: configFor(dir),
      log: silentLogger(),
      redisUrl: redis.url,
      clock: new ManualClock(Date.parse("2026-11-21T20:00:00Z")),
      adapters: [adapter],
      stepKinds: [noteKind],
    });
    await bot.start();
    const s = bot.services;
    const run = async () => (await getRun(s, runKey(s, "console", "console", "notes")))!;
    const say = (text: string, user: string, re: RegExp) => ask(adapter, text, user, (m) => re.test(m.text));

    const started = await say("!migrate start notes", "lena", /run #\d+ started/);
    expect(started.text).toContain("5 steps (2 manual)");
    expect(started.text).toContain(
      " 1. First note [note, undoable]\n 2. Look at the notes [manual: engineer acks]",
    );
    expect(started.text).toContain('Next: step 1/5 "First note" (note "first") — !migrate next');

    const first = await say("!migrate next", "eve", /Next: step 2\/5/);
    expect(first.text).toMatch(
      /^#\d+ done \(\d+s\): noted "first" \(1 entries\)\nstep 1\/5 "First note" done \(#\d+\)\./,
    );
    expect(await notes(s)).toEqual(["do:first"]);

    await say("!migrate next", "eve", /manual, for engineer/);
    const acked = await say("!migrate ack", "eve", /acknowledged/);
    expect(acked.text).toContain('Next: step 3/5 "Second note" (note "second") — !migrate next');
    await say("!migrate next", "eve", /Next: step 4\/5/);
    expect(await notes(s)).toEqual(["do:first", "do:second"]);

    // undo: the newest done step is the note; its kind's undo runs as a job.
    const undone = await say("!migrate undo", "lena", /undone \(#\d+\)/);
    expect(undone.text).toMatch(/step 3\/5 "Second note" undone \(#\d+\)\. Next: step 3\/5 "Second note"/);
    expect(await notes(s)).toEqual(["do:first", "do:second", "undo:second"]);
    expect((await run()).steps[2]!.status).toBe("undone");

    await say("!migrate next", "eve", /Next: step 4\/5/);
    await say("!migrate next", "eve", /Next: step 5\/5/);
    expect(await notes(s)).toEqual(["do:first", "do:second", "undo:second", "do:second"]);

    // rollback: the topic's undo, then the note's, the manual step (nothing to undo), the first note.
    await adapter.say("!migrate rollback", "lena");
    const end = await adapter.waitFor((m) => /is rolled back/.test(m.text));
    expect(end.text).toMatch(
      /step 1\/5 "First note" undone \(#\d+\)\. Nothing left to undo: the run is back before step 1\. notes run #\d+ is rolled back\./,
    );
    const said = adapter.sent.map((m) => m.text).join("\n");
    expect(said).toMatch(
      /step 4\/5 "Say so in the topic" undone[\s\S]*step 3\/5 "Second note" undone[\s\S]*Nothing to undo for step\(s\) 2\.$/m,
    );
    expect(await notes(s)).toEqual([
      "do:first",
      "do:second",
      "undo:second",
      "do:second",
      "undo:second",
      "undo:first",
    ]);
    const r = await eventually(
      async () => {
        const x = await run();
        return x.status === "rolled-back" && x;
      },
      { what: "the run to be rolled back" },
    );
    expect(r.steps.map((x) => x.status)).toEqual(["undone", "undone", "undone", "undone", "pending"]);
  });
});
