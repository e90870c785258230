import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { ManualClock } from "../../../src/core/clock.js";
import { PermissionError, UserError } from "../../../src/core/errors.js";
import { silentLogger } from "../../../src/core/log.js";
import type { OutboundMessage } from "../../../src/core/messages.js";
import { actionsFor, boundStep, type EngineCtx, runbookOf } from "../../../src/domain/runbook/context.js";
import { nextStep, startRun } from "../../../src/domain/runbook/engine.js";
import { builtinStepKinds } from "../../../src/domain/runbook/kinds/index.js";
import { isAlarm, runText } from "../../../src/domain/runbook/render-text.js";
import { ackStep, confirmStep, retryStep, skipStep } from "../../../src/domain/runbook/respond.js";
import { finishAndGoOn } from "../../../src/domain/runbook/run-mode.js";
import { getRun, type RunState, updateRun } from "../../../src/domain/runbook/state.js";
import { tickRunbooks } from "../../../src/domain/runbook/tick.js";
import { abortRun, finishUndo, rollback, undoStep } from "../../../src/domain/runbook/undo.js";
import type { Services } from "../../../src/domain/services.js";
import { TopicStore } from "../../../src/domain/topic-store.js";
import { AuditLog } from "../../../src/infra/audit.js";
import type { EnqueueRequest } from "../../../src/infra/enqueue.js";
import type { JobRecord } from "../../../src/infra/job-store.js";
import { JobStore } from "../../../src/infra/job-store.js";
import { connectRedis } from "../../../src/infra/redis.js";
import { startRedis } from "../../harness/servers.js";

/**
 * The runbook engine's state machine, driven by its functions on a hand-moved
 * clock: the run's state in a real Redis (its own key prefix per test), jobs
 * and chat captured instead of run and sent. A job finishing is finishAndGoOn /
 * finishUndo, as the step job calls them.
 */

const RUNBOOK = `id: eng
title: Engine
steps:
  - kind: local
    title: Stop the app
    role: engineer
    argv: [stop-app]
    undo: { kind: local, argv: [start-app] }
  - kind: manual
    title: Switch DNS
    role: losa
    instructions: Point the name at the new host.
    undo: { kind: manual, role: losa, instructions: Point it back. }
  - { kind: local, title: Drop the old db, irreversible: true, argv: [dropdb, old] }
  - { kind: wait, title: Let caches expire, duration: 5m }
  - { kind: loop, title: Copy, loop: sync, every: 1m, argv: [rsync] }
  - { kind: stop-loop, title: Stop copying, loop: sync }
  - { kind: local, title: Start the app, argv: [start-app] }
`;

const PEOPLE = {
  lena: ["lead"],
  eve: ["engineer"],
  olga: ["losa"],
  oscar: ["losa"],
  ned: [],
} as const;
type Who = keyof typeof PEOPLE;

let redis: Awaited<ReturnType<typeof startRedis>>;
let dir: string;
let client: Redis | undefined;
beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), "changebot-engine-"));
  writeFileSync(join(dir, "eng.yaml"), RUNBOOK);
});
afterEach(() => {
  client?.disconnect();
  client = undefined;
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function engine() {
  const prefix = `eng${Math.random().toString(36).slice(2, 10)}`;
  const config = parseConfig({
    keyPrefix: prefix,
    networks: { console: { user: "tester", channel: "console" } },
    roles: Object.fromEntries(
      ["lead", "engineer", "losa"].map((r) => [
        r,
        Object.entries(PEOPLE)
          .filter(([, roles]) => (roles as readonly string[]).includes(r))
          .map(([p]) => `console:${p}`),
      ]),
    ),
    runbooks: dir,
  });
  const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
  client = await connectRedis(redis.url, silentLogger());
  const said: OutboundMessage[] = [];
  const services = {
    config,
    log: silentLogger(),
    clock,
    redis: client,
    prefix,
    jobs: new JobStore(client, prefix, clock),
    audit: new AuditLog(client, prefix, clock),
    topics: new TopicStore(client, prefix),
    outbox: { send: async (m: OutboundMessage) => void said.push(m) },
  } as unknown as Services;
  const jobs: EnqueueRequest[] = [];
  const as = (who: Who): EngineCtx => ({
    services,
    kinds: builtinStepKinds,
    actor: { display: who, id: `console:${who}`, roles: PEOPLE[who] },
    enqueue: async (req) => {
      jobs.push(req);
      return { id: jobs.length } as JobRecord;
    },
  });
  const run = await startRun(
    { ...as("lena"), network: "console", channel: "console" },
    runbookOf(as("lena"), { runbook: "eng" }),
    {},
  );
  const key = run.key;
  const state = async () => (await getRun(services, key)) as RunState;
  const env = { services, kinds: builtinStepKinds };
  /** The job of step i is over. */
  const jobDone = async (i: number, ok = true, summary = ok ? "exit 0" : "exit 1") =>
    runText(await finishAndGoOn(env, key, i, (await state()).steps[i]!.job!, "eve", { ok, summary }));
  /** Does step i as its crew would: next, then ack / confirm and the job's end. */
  const pass = async (i: number) => {
    await nextStep(as("eve"), key);
    const sr = (await state()).steps[i]!;
    if (sr.status === "awaiting-ack") return ackStep(as("olga"), key, "");
    if (sr.status === "awaiting-confirm") await confirmStep(as("olga"), key);
    return jobDone(i);
  };
  return { services, clock, said, jobs, as, key, state, env, jobDone, pass };
}

describe("runbook engine: next, ack and confirm", () => {
  it("starts an automated step as a job, only for its role, and moves on when the job is done", async () => {
    const e = await engine();
    await expect(nextStep(e.as("ned"), e.key)).rejects.toThrow(PermissionError);
    await expect(nextStep(e.as("ned"), e.key)).rejects.toThrow(
      'step 1/7 "Stop the app" may only be run by engineer (held by console:eve',
    );
    expect(e.jobs).toEqual([]);
    await nextStep(e.as("eve"), e.key);
    expect(e.jobs).toEqual([
      expect.objectContaining({
        name: "runbook-step",
        data: { run: e.key, step: 0, mode: "do", idempotent: false },
        summary: 'eng step 1/7 "Stop the app": local: stop-app',
      }),
    ]);
    expect((await e.state()).steps[0]).toMatchObject({ status: "running", job: 1, by: "eve" });
    await expect(nextStep(e.as("eve"), e.key)).rejects.toThrow('step 1/7 "Stop the app" is running as #1');
    e.clock.advance(42_000);
    expect(await e.jobDone(0)).toBe(
      'step 1/7 "Stop the app" done (#1). Next: step 2/7 "Switch DNS" (manual, acknowledged by losa) — !migrate next',
    );
    const r = await e.state();
    expect(r.cursor).toBe(1);
    expect(r.steps[0]).toMatchObject({ status: "done", result: "exit 0", finishedAt: e.clock.now() });
  });

  it("posts a manual step and takes the ack only from a holder of its role", async () => {
    const e = await engine();
    await e.pass(0);
    const prompt = await nextStep(e.as("eve"), e.key);
    expect(e.jobs).toHaveLength(1);
    // Returned, to be said once the run is written: nothing was posted from inside its lock.
    expect(e.said).toHaveLength(0);
    expect((await e.state()).steps[1]!.status).toBe("awaiting-ack");
    expect(runText(prompt)).toContain(
      'step 2/7 "Switch DNS" — manual, for losa:\nPoint the name at the new host.\nWhen it is done, !migrate ack [note] by losa',
    );
    expect(actionsFor(prompt)).toEqual([{ label: "Acknowledge", command: "!migrate ack", style: "primary" }]);
    await expect(ackStep(e.as("eve"), e.key, "")).rejects.toThrow(
      /^Only losa \(held by console:olga, console:oscar\) may acknowledge step 2\/7 "Switch DNS"; you \(console:eve\) have engineer/,
    );
    expect((await e.state()).steps[1]!.status).toBe("awaiting-ack");
    expect(await ackStep(e.as("oscar"), e.key, "TTL was low")).toMatch(
      /^step 2\/7 "Switch DNS" acknowledged by oscar: TTL was low\. Next: step 3\/7 "Drop the old db"/,
    );
    expect((await e.state()).steps[1]).toMatchObject({ status: "done", ackBy: "oscar", note: "TTL was low" });
    await expect(ackStep(e.as("oscar"), e.key, "")).rejects.toThrow("No manual step is waiting");
  });

  it("runs an irreversible step only after a second person confirms", async () => {
    const e = await engine();
    await e.pass(0);
    await e.pass(1);
    const prompt = await nextStep(e.as("olga"), e.key);
    expect(e.jobs).toHaveLength(1);
    expect((await e.state()).steps[2]!.status).toBe("awaiting-confirm");
    expect(prompt.some(isAlarm)).toBe(true);
    expect(runText(prompt)).toBe(
      'step 3/7 "Drop the old db" is IRREVERSIBLE (local: dropdb old). It runs only after !migrate confirm by someone other than olga.',
    );
    expect(actionsFor(prompt)).toEqual([{ label: "Confirm", command: "!migrate confirm", style: "danger" }]);
    await expect(confirmStep(e.as("olga"), e.key)).rejects.toThrow(
      /two-person rule needs someone else to confirm it/,
    );
    expect(e.jobs).toHaveLength(1);
    await confirmStep(e.as("oscar"), e.key);
    expect((await e.state()).steps[2]).toMatchObject({ status: "running", by: "olga", confirmBy: "oscar" });
    expect(e.jobs.at(-1)!.data).toEqual({ run: e.key, step: 2, mode: "do", idempotent: false });
    await expect(confirmStep(e.as("oscar"), e.key)).rejects.toThrow("No step is waiting for a confirm.");
  });
});

describe("runbook engine: retry and skip", () => {
  it("retries only a failed step; a failed step holds the run until retried or skipped", async () => {
    const e = await engine();
    await nextStep(e.as("eve"), e.key);
    await expect(retryStep(e.as("eve"), e.key)).rejects.toThrow(
      'Only a failed or interrupted step can be retried; step 1/7 "Stop the app" is running.',
    );
    await expect(skipStep(e.as("lena"), e.key, "meh")).rejects.toThrow("it cannot be skipped now");
    expect(await e.jobDone(0, false)).toBe(
      'step 1/7 "Stop the app" failed. !migrate retry, or !migrate skip <reason>.',
    );
    await expect(nextStep(e.as("eve"), e.key)).rejects.toThrow(
      'step 1/7 "Stop the app" failed (exit 1): !migrate retry, or !migrate skip <reason>.',
    );
    await retryStep(e.as("eve"), e.key);
    expect((await e.state()).steps[0]).toMatchObject({ status: "running", job: 2, jobs: [1, 2] });
    await e.jobDone(0, false);
    expect(await skipStep(e.as("lena"), e.key, "stopped it by hand")).toMatch(
      /^step 1\/7 "Stop the app" skipped by lena: stopped it by hand\. Next: step 2\/7/,
    );
    const r = await e.state();
    expect(r.steps[0]).toMatchObject({ status: "skipped", note: "stopped it by hand" });
    expect(r.cursor).toBe(1);
  });
});

describe("runbook engine: waits on the clock", () => {
  it("a wait step is over on the first tick after its due time, not before", async () => {
    const e = await engine();
    for (const i of [0, 1, 2]) await e.pass(i);
    await nextStep(e.as("eve"), e.key);
    // The step's job performs the wait: it asks the wait kind.
    const r = await e.state();
    const step = boundStep(e.env, r, 3);
    const out = await builtinStepKinds.of(step).perform!(
      {
        ...e.env,
        io: undefined as never,
        run: r,
        index: 3,
        name: 'step 4/7 "Let caches expire"',
        ref: "ref",
        who: "eve",
        update: (fn) => updateRun(e.services, e.key, fn),
      },
      step,
    );
    expect(out.summary).toBe(
      'step 4/7 "Let caches expire": waiting 5m, until 20:05:00 UTC; the run goes on by itself then.',
    );
    expect(await e.jobDone(3)).toBe("");
    e.clock.advance(299_000);
    await tickRunbooks(e.services, builtinStepKinds);
    expect((await e.state()).steps[3]!.status).toBe("waiting");
    e.clock.advance(1_000);
    await tickRunbooks(e.services, builtinStepKinds);
    expect((await e.state()).steps[3]!.status).toBe("done");
    expect(e.said.at(-1)!.text).toMatch(/^step 4\/7 "Let caches expire" wait over\. Next: step 5\/7 "Copy"/);
  });
});

describe("runbook engine: undo, rollback and abort", () => {
  it("undo runs the newest done step's undo: a manual one is acked, a command one is a job", async () => {
    const e = await engine();
    await e.pass(0);
    await e.pass(1);
    // The prompt is the answer to the undo, said after the run is written.
    expect(await undoStep(e.as("lena"), e.key)).toMatch(
      /^Undo of step 2\/7 "Switch DNS" — manual, for losa:\nPoint it back\./,
    );
    await expect(undoStep(e.as("lena"), e.key)).rejects.toThrow('step 2/7 "Switch DNS" is undoing');
    await expect(ackStep(e.as("eve"), e.key, "")).rejects.toThrow(PermissionError);
    expect(await ackStep(e.as("olga"), e.key, "")).toMatch(
      /^step 2\/7 "Switch DNS" undone, acknowledged by olga\. Next: step 2\/7/,
    );
    await undoStep(e.as("lena"), e.key);
    expect(e.jobs.at(-1)!.data).toEqual({ run: e.key, step: 0, mode: "undo", idempotent: false });
    const said = await updateRun(e.services, e.key, (r) =>
      finishUndo({ ...e.as("lena") }, r, 0, true, "undone (#2)"),
    );
    expect(said).toMatch(/^step 1\/7 "Stop the app" undone \(#2\)\. Next: step 1\/7/);
    const r = await e.state();
    expect(r.steps.slice(0, 2).map((x) => x.status)).toEqual(["undone", "undone"]);
    expect(r.cursor).toBe(0);
    await expect(undoStep(e.as("lena"), e.key)).resolves.toBe(
      "Nothing left to undo: the run is back before step 1.",
    );
  });

  it("rollback undoes newest first and stops at an irreversible step, saying so", async () => {
    const e = await engine();
    for (const i of [0, 1, 2]) await e.pass(i);
    await nextStep(e.as("eve"), e.key);
    await e.jobDone(3);
    expect(await rollback(e.as("lena"), e.key)).toBe(
      'Nothing to undo for step(s) 4. Stopped at step 3/7 "Drop the old db": it is irreversible and cannot be undone; it and the steps before it stay done. Next: step 4/7 "Let caches expire" (wait 5m) — !migrate next',
    );
    const r = await e.state();
    expect(r.steps.slice(0, 4).map((x) => x.status)).toEqual(["done", "done", "done", "undone"]);
    expect(r).toMatchObject({ status: "active", cursor: 3, rollingBack: false });
    expect(e.jobs.filter((j) => (j.data as { mode: string }).mode === "undo")).toEqual([]);
  });

  it("rollback to the start goes on after each undo and ends the run rolled back", async () => {
    const e = await engine();
    await e.pass(0);
    await e.pass(1);
    await expect(rollback(e.as("eve"), e.key)).resolves.toMatch(
      /^Undo of step 2\/7 "Switch DNS" — manual, for losa:/,
    );
    expect((await e.state()).rollingBack).toBe(true);
    expect(await ackStep(e.as("olga"), e.key, "")).toBe(
      'step 2/7 "Switch DNS" undone, acknowledged by olga.',
    );
    expect(e.jobs.at(-1)!.data).toMatchObject({ step: 0, mode: "undo" });
    const said = await updateRun(e.services, e.key, (r) =>
      finishUndo(e.as("lena"), r, 0, true, "undone (#2)"),
    );
    expect(said).toMatch(
      /Nothing left to undo: the run is back before step 1\. eng run #1 is rolled back\.$/,
    );
    expect((await e.state()).status).toBe("rolled-back");
  });

  it("abort ends the run, stops its loops and its waits", async () => {
    const e = await engine();
    for (const i of [0, 1, 2]) await e.pass(i);
    await nextStep(e.as("eve"), e.key);
    await updateRun(e.services, e.key, (r) => {
      r.steps[3]!.status = "waiting";
      r.steps[3]!.waitUntil = e.clock.now() + 300_000;
      r.loops.sync = {
        name: "sync",
        step: 4,
        every: 60_000,
        nextAt: e.clock.now(),
        iterations: 2,
        failures: 0,
        stopped: false,
        startedAt: e.clock.now(),
      };
    });
    e.clock.advance(10_000);
    expect(await abortRun(e.as("lena"), e.key, "giving up")).toBe(
      "eng run #1 aborted by lena: giving up. Stopped loop(s): sync (2 iterations).",
    );
    const r = await e.state();
    expect(r).toMatchObject({ status: "aborted", endedAt: e.clock.now() });
    expect(r.loops.sync).toMatchObject({ stopped: true, stoppedAt: e.clock.now() });
    expect(r.steps[3]!.status).toBe("pending");
    await expect(nextStep(e.as("eve"), e.key)).rejects.toThrow(UserError);
    await expect(nextStep(e.as("eve"), e.key)).rejects.toThrow("eng run #1 is aborted");
    e.clock.advance(600_000);
    await tickRunbooks(e.services, builtinStepKinds);
    expect((await e.state()).loops.sync!.iterations).toBe(2);
  });
});
