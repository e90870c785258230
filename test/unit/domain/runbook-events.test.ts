import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { ManualClock } from "../../../src/core/clock.js";
import { silentLogger } from "../../../src/core/log.js";
import type { OutboundMessage } from "../../../src/core/messages.js";
import { type EngineCtx, emit, runbookOf } from "../../../src/domain/runbook/context.js";
import { nextStep, startRun } from "../../../src/domain/runbook/engine.js";
import { builtinStepKinds } from "../../../src/domain/runbook/kinds/index.js";
import type { PerformContext } from "../../../src/domain/runbook/kinds/types.js";
import { runStarted } from "../../../src/domain/runbook/next.js";
import { runText } from "../../../src/domain/runbook/render-text.js";
import { ackStepEvents } from "../../../src/domain/runbook/respond.js";
import { finishAndGoOn } from "../../../src/domain/runbook/run-mode.js";
import { getRun, type RunState, updateRun } from "../../../src/domain/runbook/state.js";
import { tickRunbooks } from "../../../src/domain/runbook/tick.js";
import { rollbackEvents } from "../../../src/domain/runbook/undo.js";
import type { Services } from "../../../src/domain/services.js";
import { TopicStore } from "../../../src/domain/topic-store.js";
import { AuditLog } from "../../../src/infra/audit.js";
import type { EnqueueRequest } from "../../../src/infra/enqueue.js";
import { type JobRecord, JobStore } from "../../../src/infra/job-store.js";
import { connectRedis } from "../../../src/infra/redis.js";
import { testConfig } from "../../harness/config.js";
import { test } from "../../harness/fixtures.js";

/**
 * The engine says what happens to a run as events (domain/runbook/events.ts):
 * operations return them, and what the engine says by itself (a step waiting
 * for an ack, a wait that is over) goes out through emit() with its events
 * attached, its text their plain rendering. Driven on a hand-moved clock.
 */

const dir = mkdtempSync(join(tmpdir(), "changebot-events-"));
writeFileSync(
  join(dir, "ev.yaml"),
  `id: ev
title: Events
steps:
  - { kind: local, title: Stop the app, argv: [stop-app], undo: { kind: local, argv: [start-app] } }
  - { kind: manual, title: Switch DNS, role: losa, instructions: "Point the name\\nat the new host." }
  - { kind: wait, title: Let caches expire, duration: 5m }
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function engine(url: string, prefix: string) {
  const config = parseConfig(
    testConfig({ prefix, roles: { lead: ["lena"], losa: ["olga"] }, runbooks: dir }),
  );
  const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
  const redis = await connectRedis(url, silentLogger());
  const said: OutboundMessage[] = [];
  const services = {
    config,
    log: silentLogger(),
    clock,
    redis,
    prefix,
    jobs: new JobStore(redis, prefix, clock),
    audit: new AuditLog(redis, prefix, clock),
    topics: new TopicStore(redis, prefix),
    outbox: { send: async (m: OutboundMessage) => void said.push(m) },
  } as unknown as Services;
  let jobs = 0;
  const as = (who: string, roles: string[]): EngineCtx => ({
    services,
    kinds: builtinStepKinds,
    actor: { display: who, id: `console:${who}`, roles },
    enqueue: async (_req: EnqueueRequest) => ({ id: ++jobs }) as JobRecord,
  });
  const lena = as("lena", ["lead"]);
  const run = await startRun(
    { ...lena, network: "console", channel: "console" },
    runbookOf(lena, { runbook: "ev" }),
    {},
  );
  const state = async () => (await getRun(services, run.key)) as RunState;
  return {
    services,
    clock,
    said,
    lena,
    olga: as("olga", ["losa"]),
    run,
    state,
    close: () => redis.disconnect(),
  };
}

const step = (n: number, title: string) => ({ n, of: 3, title });

describe("runbook engine events", () => {
  test("a run's start, steps, wait and rollback come out as events, each message's text their plain words", async ({
    redis,
    prefix,
  }) => {
    const e = await engine(redis.url, prefix);
    try {
      const env = { services: e.services, kinds: builtinStepKinds };
      expect(runStarted(env, e.run)).toEqual([
        expect.objectContaining({ type: "run-started", runbook: "ev", seq: 1, by: "lena" }),
        {
          type: "next-hint",
          status: "active",
          next: { step: step(1, "Stop the app"), describe: "local: stop-app", irreversible: false },
        },
      ]);

      await nextStep(e.lena, e.run.key);
      e.clock.advance(10_000);
      expect(await finishAndGoOn(env, e.run.key, 0, 1, "lena", { ok: true, summary: "exit 0" })).toEqual([
        { type: "step-done", step: step(1, "Stop the app"), end: { how: "job", job: 1 } },
        expect.objectContaining({
          type: "next-hint",
          next: expect.objectContaining({ step: step(2, "Switch DNS") }),
        }),
      ]);

      // The manual step's prompt is returned (said once the run is written); said, the message
      // carries the event, its text is the plain rendering, with the Acknowledge button.
      const asked = await nextStep(e.lena, e.run.key);
      await emit(e.services, e.run, asked);
      const prompt = e.said.at(-1)!;
      expect(prompt.events).toEqual([
        {
          type: "step-awaiting-ack",
          step: step(2, "Switch DNS"),
          prompt: "manual, for losa:\nPoint the name\nat the new host.",
          acker: "losa (held by console:olga)",
        },
      ]);
      expect(prompt.text).toBe(runText(prompt.events as never));
      expect(prompt.actions).toEqual([{ label: "Acknowledge", command: "!migrate ack", style: "primary" }]);

      expect(await ackStepEvents(e.olga, e.run.key, "TTL low")).toEqual([
        {
          type: "step-done",
          step: step(2, "Switch DNS"),
          end: { how: "acked", by: "olga", note: "TTL low" },
        },
        expect.objectContaining({
          type: "next-hint",
          next: expect.objectContaining({ step: step(3, "Let caches expire") }),
        }),
      ]);

      // The wait: its job (the kind's perform) puts it to waiting; the tick, once the clock passes its due time, ends the run.
      await nextStep(e.lena, e.run.key);
      const wait = (await e.state()) as RunState;
      const pc = {
        ...env,
        run: wait,
        index: 2,
        name: 'step 3/3 "Let caches expire"',
        ref: "rb-ev-1-2-do",
        who: "lena",
        update: (fn) => updateRun(e.services, e.run.key, fn),
      } as PerformContext;
      await builtinStepKinds.of({ kind: "wait" }).perform!(pc, runbookOf(env, wait).steps[2]!);
      expect((await e.state()).steps[2]!.status).toBe("waiting");
      const before = e.said.length;
      e.clock.advance(299_000);
      await tickRunbooks(e.services, builtinStepKinds);
      expect(e.said).toHaveLength(before);
      e.clock.advance(1_000);
      await tickRunbooks(e.services, builtinStepKinds);
      expect(e.said.at(-1)!.events).toEqual([
        { type: "step-done", step: step(3, "Let caches expire"), end: { how: "wait-over" } },
        { type: "run-finished", runbook: "ev", seq: 1, steps: 3, stopped: "" },
      ]);
      expect(e.said.at(-1)!.text).toBe(
        'step 3/3 "Let caches expire" wait over. All 3 steps are done: ev run #1 finished. See !migrate log.',
      );
      expect((await e.state()).status).toBe("finished");
    } finally {
      e.close();
    }
  });

  test("a rollback says which steps had nothing to undo and that the first step's undo has begun", async ({
    redis,
    prefix,
  }) => {
    const e = await engine(redis.url, prefix);
    try {
      const env = { services: e.services, kinds: builtinStepKinds };
      await nextStep(e.lena, e.run.key);
      await finishAndGoOn(env, e.run.key, 0, 1, "lena", { ok: true, summary: "exit 0" });
      await nextStep(e.lena, e.run.key);
      await ackStepEvents(e.olga, e.run.key, "");
      expect(await rollbackEvents(e.lena, e.run.key)).toEqual([
        { type: "undo-passed", steps: [2] },
        { type: "undo-begun", step: step(1, "Stop the app"), job: 2 },
      ]);
    } finally {
      e.close();
    }
  });
});
