import { randomBytes } from "node:crypto";
import { WaitingError, Worker } from "bullmq";
import { formatDuration } from "../core/duration.js";
import { isUserError } from "../core/errors.js";
import type { Outcome } from "../core/result.js";
import type { JobKind, JobKinds } from "../domain/job-kinds.js";
import type { Services } from "../domain/services.js";
import { type JobRecord, TERMINAL, tail } from "../infra/job-store.js";
import { PROCESS_NAME } from "../infra/process-name.js";
import { WORK_QUEUE } from "../infra/queues.js";
import { redisTrouble } from "../infra/redis-trouble.js";
import { ended, finish, sayInJob, sayUnsaid, type Unsaid } from "./job-end.js";

export interface JobContext<K extends JobKind = JobKind> {
  record: JobRecord;
  /** The job's payload, typed by its kind (domain/job-kinds.ts). */
  data: JobKinds[K];
  services: Services;
  /** Aborts when the worker shuts down. */
  signal: AbortSignal;
  /** Append to the job's log (`!job log 42`). */
  log(text: string): Promise<void>;
  /** Say something in the job's thread, prefixed with its id. */
  say(text: string): Promise<void>;
}

export interface JobHandler<K extends JobKind = JobKind> {
  name: K;
  /** Safe to run again after an interruption (e.g. setting a topic). Otherwise an interrupted job waits for a human. */
  idempotent: boolean | ((data: JobKinds[K]) => boolean);
  run(ctx: JobContext<K>): Promise<Outcome>;
  /** A human resolved an interrupted job of this kind with `!job done`. */
  onResolved?(rec: JobRecord, services: Services, how: "done" | "retried"): Promise<void>;
}

/** One handler for every job kind; a kind without one does not compile. */
export type HandlerMap = { [K in JobKind]: JobHandler<K> };

/** Looks a job's handler up by the kind its record names. */
export class HandlerRegistry {
  private readonly handlers: Map<string, JobHandler>;
  constructor(map: HandlerMap) {
    this.handlers = new Map(Object.values(map).map((h) => [h.name, h as unknown as JobHandler]));
  }
  get(name: string): JobHandler | undefined {
    return this.handlers.get(name);
  }
}

/**
 * Runs one job by its record. A job whose record says it was already running
 * when a worker died is not run again unless its handler is idempotent: it is
 * marked interrupted and the channel is asked to check and retry or mark done.
 *
 * Returns "released" when the worker's shutdown signal aborted the job while it
 * ran: its record stays "running" and nothing is said, so whichever worker takes
 * it next reports it interrupted (or re-runs it, if it is idempotent).
 */
export async function runJob(
  services: Services,
  handlers: HandlerRegistry,
  id: number,
  worker: string,
  signal: AbortSignal,
): Promise<"released" | undefined> {
  const { jobs, log } = services;
  // The record as it was; marked running in the same round trip unless it had finished.
  const rec = await jobs.begin(id, worker);
  if (!rec) {
    log.error({ job: id }, "job has no record; dropped");
    return;
  }
  if (TERMINAL.includes(rec.state)) {
    // Already finished: a redelivery. Its end is said again if the worker died before saying it.
    if (rec.unsaid) await sayUnsaid(services, rec);
    return;
  }
  const handler = handlers.get(rec.name);
  if (!handler) {
    await jobs.update(id, {
      state: "failed",
      result: `no handler for ${rec.name}`,
      finishedAt: services.clock.now(),
    });
    await sayInJob(services, rec, `failed: this worker does not know how to run "${rec.name}"`);
    return;
  }
  const prev = rec.state;
  const idempotent =
    typeof handler.idempotent === "function"
      ? handler.idempotent(rec.data as JobKinds[JobKind])
      : handler.idempotent;
  if (prev === "running" && !idempotent) {
    const note = "interrupted: state unknown (the bot stopped while it ran)";
    const end: Unsaid = {
      text: `${note} — check, then \`!job retry ${id}\` or \`!job done ${id}\``,
      kind: "alarm",
    };
    const ackPending = await finish(
      services,
      id,
      { state: "interrupted", finishedAt: services.clock.now(), result: note, unsaid: JSON.stringify(end) },
      { event: "job", job: id, outcome: "interrupted", command: rec.summary },
    );
    await jobs.appendLog(id, `\n[${note}]\n`);
    await sayInJob(services, rec, end.text, end.kind, undefined, undefined, ackPending);
    ended(services, id, "interrupted", { said: true });
    return;
  }
  if (prev === "running") log.info({ job: id }, "re-running an interrupted idempotent job");
  const started = services.clock.now();
  const ctx: JobContext = {
    record: { ...rec, state: "running" },
    data: rec.data as JobKinds[JobKind],
    services,
    signal,
    log: (text) => jobs.appendLog(id, text),
    say: (text) => sayInJob(services, rec, text),
  };
  let outcome: Outcome;
  try {
    outcome = await handler.run(ctx);
  } catch (e) {
    if (isUserError(e)) {
      outcome = { ok: false, summary: e.message };
    } else {
      const ref = randomBytes(3).toString("hex");
      log.error({ job: id, ref, err: e }, "job failed with an internal error");
      outcome = { ok: false, summary: `internal error (ref ${ref}; details in the bot's log)` };
    }
  }
  if (signal.aborted) {
    await jobs.appendLog(
      id,
      `\n[the bot shut down while this ran (${outcome.summary}); it is taken up again when a worker is back]\n`,
    );
    log.warn({ job: id, outcome: outcome.summary }, "job released at shutdown");
    return "released";
  }
  const finished = services.clock.now();
  const state = outcome.ok ? "done" : "failed";
  let end: Unsaid | undefined;
  if (outcome.announce !== false) {
    const took = formatDuration(finished - started);
    let text = `${state === "done" ? "done" : "FAILED"} (${took}): ${outcome.summary}`;
    let outputLines = 0;
    if (outcome.output) {
      const t = tail(outcome.output, services.config.jobs.chatLines);
      if (t.lines.length) {
        text += `\n${t.cut ? `… ${t.cut} earlier lines: !job log ${id}\n` : ""}${t.lines.join("\n")}`;
        outputLines = t.lines.length;
      }
    }
    end = { text, kind: outcome.ok ? "reply" : "alarm", outputLines };
  }
  const ackPending = await finish(
    services,
    id,
    {
      state,
      finishedAt: finished,
      result: outcome.summary,
      exit: outcome.exit,
      ...(end ? { unsaid: JSON.stringify(end) } : {}),
    },
    { event: "job", job: id, who: rec.byId, command: rec.summary, outcome: `${state}: ${outcome.summary}` },
  );
  if (end) await sayInJob(services, rec, end.text, end.kind, end.outputLines, outcome, ackPending);
  ended(services, id, state, { said: !!end, run: { name: rec.name, seconds: (finished - started) / 1000 } });
}

/** The work queue's worker: many jobs at once, each on exactly one worker (BullMQ's lock). */
export function startWorkers(
  services: Services,
  handlers: HandlerRegistry,
): { id: string; close(graceMs?: number): Promise<void> } {
  // The name BullMQ records on every job this process takes (reclaim.ts reads it).
  const id = PROCESS_NAME;
  const stop = new AbortController();
  const { config } = services;
  const worker = new Worker(
    WORK_QUEUE,
    async (job, token) => {
      const r = await runJob(services, handlers, Number(job.data.id), id, stop.signal);
      if (r === "released") {
        // Back to the queue, not completed: the next worker to take it sees it was running.
        await job.moveToWait(token);
        throw new WaitingError();
      }
    },
    services.queues.workerOptions({
      concurrency: config.jobs.concurrency,
      lockDuration: config.jobs.lockMs,
      stalledInterval: config.jobs.stalledCheckMs,
      // A stalled job comes back to a worker, which sees it was running and marks it interrupted.
      maxStalledCount: 1000,
    }),
  );
  worker.on("error", (e) => redisTrouble(services.log).report("work queue", e));
  return {
    id,
    /**
     * Stop taking jobs; let running ones finish for graceMs, then abort them (an
     * executor ends its command as at a timeout) and release them: they come back
     * as interrupted. A handler that ignores the abort holds shutdown for at most
     * ABORT_WAIT_MS more.
     */
    close: async (graceMs = config.jobs.shutdownGraceMs) => {
      const closed = worker.close();
      if (await within(closed, graceMs)) return;
      stop.abort();
      if (!(await within(closed, ABORT_WAIT_MS)))
        services.log.warn("a job did not stop when asked; shutting down without it");
    },
  };
}

/** After the abort: the executors' TERM, KILL and close take about 3 s (main.ts exits 4 s after the grace period). */
const ABORT_WAIT_MS = 3_000;

const within = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
