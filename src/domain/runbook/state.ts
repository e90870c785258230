import { UserError } from "../../core/errors.js";
import { withRedisLock } from "../../infra/lock.js";
import { confirmReplicated } from "../../infra/redis-wait.js";
import type { Services } from "../services.js";

/**
 * A run of a runbook, whole in Redis (one JSON value per run, changed under a
 * short Redis lock), so any process can pick it up and a restarted bot resumes it.
 * One active run per runbook per channel.
 */

export type StepStatus =
  | "pending"
  | "awaiting-confirm"
  | "awaiting-ack"
  | "running"
  | "waiting"
  | "done"
  | "failed"
  | "interrupted"
  | "skipped"
  | "undoing"
  | "undone"
  | "undo-failed";

export interface StepRun {
  status: StepStatus;
  /** The job now (or last) doing it, and every job that tried. */
  job?: number;
  jobs: number[];
  /** Who asked for it (`next`), shown, and as matched. */
  by?: string;
  byId?: string;
  /** Who acknowledged (manual) or confirmed (irreversible) it. */
  ackBy?: string;
  confirmBy?: string;
  startedAt?: number;
  finishedAt?: number;
  /** ack note, skip reason, result line. */
  note?: string;
  result?: string;
  /** A wait step's due time. */
  waitUntil?: number;
  undoJob?: number;
  undoBy?: string;
  undoneAt?: number;
}

export interface LoopRun {
  name: string;
  step: number;
  every: number;
  nextAt: number;
  iterations: number;
  failures: number;
  /** The iteration job running now. */
  inFlight?: number;
  stopped: boolean;
  startedAt: number;
  stoppedAt?: number;
  last?: string;
}

export interface TimelineEntry {
  at: number;
  who: string;
  what: string;
  step?: number;
}

export type RunStatus = "active" | "finished" | "aborted" | "rolled-back";

export interface RunState {
  key: string;
  runbook: string;
  /** Sequence number of runs of this runbook (all channels). */
  seq: number;
  network: string;
  channel: string;
  threadId?: string;
  params: Record<string, string>;
  status: RunStatus;
  startedBy: string;
  startedById: string;
  startedAt: number;
  endedAt?: number;
  cursor: number;
  steps: StepRun[];
  loops: Record<string, LoopRun>;
  /**
   * The downtime markers: when each was first passed; the scheduled downtime
   * they start and end (`!migrate start … downtime=3`); when the run was found
   * off track inside it (the alarm is raised once).
   */
  downtime: { start?: number; end?: number; linked?: number; offTrackAt?: number };
  /** Set while `rollback` works back through the done steps. */
  rollingBack?: boolean;
  /** Who asked for the rollback (each undo it does is theirs). */
  rollbackBy?: string;
  timeline: TimelineEntry[];
  /**
   * Run mode (`!migrate run`): on, the run goes on by itself through automated
   * steps until a gate; who turned it on, as the steps it starts are theirs.
   */
  auto?: { by: string; byId: string; roles: string[] };
  /** The runbook this run refers to was found missing and the channel was told (see the scheduler). */
  unloaded?: string;
  /**
   * A rehearsal (`!migrate start … --rehearse`): set when the run is created and
   * never changed (updateRun refuses), so a rehearsal cannot become a real run.
   * Its commands are shown, not run (rehearsal.ts, exec/dispatch.ts).
   */
  rehearsal?: true;
}

export const runKey = (s: Services, network: string, channel: string, runbook: string) =>
  `${s.prefix}:rb:run:${network}:${channel}:${runbook}`;
const activeKey = (s: Services) => `${s.prefix}:rb:active`;
const lastKey = (s: Services, network: string, channel: string) =>
  `${s.prefix}:rb:last:${network}:${channel}`;

export async function getRun(s: Services, key: string): Promise<RunState | undefined> {
  const raw = await s.redis.get(key);
  return raw ? (JSON.parse(raw) as RunState) : undefined;
}

/** Keys of every active run (all channels). */
export async function activeRuns(s: Services): Promise<string[]> {
  return s.redis.smembers(activeKey(s));
}

/**
 * The active real run bound to downtime `id` (`!migrate start … downtime=N`), if any.
 * A rehearsal bound to it changes nothing, so it is never the one.
 */
export async function runBoundTo(s: Services, id: number): Promise<RunState | undefined> {
  for (const key of await activeRuns(s)) {
    const run = await getRun(s, key);
    if (run?.status === "active" && !run.rehearsal && run.downtime.linked === id) return run;
  }
  return undefined;
}

/** Active runs in one channel. */
export async function channelRuns(s: Services, network: string, channel: string): Promise<RunState[]> {
  const p = runKey(s, network, channel, "");
  const keys = (await activeRuns(s)).filter((k) => k.startsWith(p)).sort();
  const runs = await Promise.all(keys.map((k) => getRun(s, k)));
  return runs.filter((r): r is RunState => !!r && r.status === "active");
}

/** The channel's most recent run (active or not), for status and log after the end. */
export async function lastRun(s: Services, network: string, channel: string): Promise<RunState | undefined> {
  const key = await s.redis.get(lastKey(s, network, channel));
  return key ? getRun(s, key) : undefined;
}

/**
 * Where an ended run is kept once a newer run of its runbook takes its place in
 * the channel: by its page id, so a link to it (`/runs/<runbook>-<seq>`) stays good.
 */
export const endedRunKey = (s: Pick<Services, "prefix">, runbook: string, seq: number) =>
  `${s.prefix}:rb:ended:${runbook}-${seq}`;

/**
 * Creates a run; refused if this runbook already has an active run in the
 * channel, rehearsal or not (one run per runbook per channel).
 */
export async function createRun(s: Services, run: Omit<RunState, "key" | "seq">): Promise<RunState> {
  const key = runKey(s, run.network, run.channel, run.runbook);
  return withRunLock(s, key, async () => {
    const old = await getRun(s, key);
    if (old?.status === "active")
      throw new UserError(
        `${run.runbook} is already ${old.rehearsal ? "being rehearsed" : "running"} in this channel (${old.rehearsal ? "REHEARSAL " : ""}run #${old.seq}, started by ${old.startedBy}); see !migrate status, or !migrate abort first${old.rehearsal && !run.rehearsal ? " (a rehearsal never becomes a real run: start the real one after it, or in another channel)" : ""}.`,
      );
    const seq = await s.redis.incr(`${s.prefix}:rb:seq:${run.runbook}`);
    const state: RunState = { ...run, key, seq };
    const m = s.redis.multi();
    if (old) m.set(endedRunKey(s, old.runbook, old.seq), JSON.stringify(old));
    await m
      .set(key, JSON.stringify(state))
      .sadd(activeKey(s), key)
      .set(lastKey(s, run.network, run.channel), key)
      .exec();
    return state;
  });
}

function withRunLock<T>(s: Services, key: string, fn: () => Promise<T>): Promise<T> {
  return withRedisLock(s.redis, `${key}:lock`, fn);
}

/**
 * Changes a run under its lock. fn edits the state in place and returns a
 * value; the state is written back (and leaves the active set once it ended).
 */
export async function updateRun<T>(
  s: Services,
  key: string,
  fn: (run: RunState) => Promise<T> | T,
): Promise<T> {
  return withRunLock(s, key, async () => {
    const raw = await s.redis.get(key);
    if (!raw) throw new UserError("That run no longer exists.");
    const run = JSON.parse(raw) as RunState;
    const rehearsal = run.rehearsal;
    const out = await fn(run);
    if (run.rehearsal !== rehearsal)
      throw new Error(
        `${run.runbook} run #${run.seq}: whether a run is a rehearsal is set when it starts and never changes`,
      );
    const next = JSON.stringify(run);
    if (next === raw) return out; // nothing changed (most scheduler ticks)
    const m = s.redis.multi().set(key, next);
    if (run.status !== "active") m.srem(activeKey(s), key);
    await m.exec();
    // Under Sentinel: a run's state change no replica confirmed is named in the log (infra/redis-wait.ts).
    await confirmReplicated(s.redis, "run state", { run: key, status: run.status, cursor: run.cursor });
    return out;
  });
}

export function note(run: RunState, at: number, who: string, what: string, step?: number): void {
  run.timeline.push({ at, who, what, step });
}
