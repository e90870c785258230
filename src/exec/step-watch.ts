import { StringDecoder } from "node:string_decoder";
import type { Clock } from "../core/clock.js";
import { formatDuration } from "../core/duration.js";
import type { ExecContext, StepResult } from "./executor.js";

/** How long a running step stays quiet in chat between progress lines. */
export const PROGRESS_EVERY_MS = 30_000;
/** Output kept in memory for the step's result (the job log has it all, up to its cap). */
const KEEP_CHARS = 64 * 1024;

export interface WatchOptions {
  clock: Clock;
  /** Where the step runs, for messages ("bastion", "this host"). */
  where: string;
  progressEveryMs?: number;
  /** How often the clock is looked at for a due progress line (real time). */
  tickMs?: number;
}

/** "340ms", "1.2s", "2m 5s": a step's duration in chat. */
export function stepDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(ms);
}

export interface Ending {
  exit?: number;
  signal?: string;
  /** The step outran its timeout (ms). */
  timedOutAfter?: number;
  /** What was done to end it ("sent TERM, then closed the session"). */
  stopped?: string;
  /** The connection or the bot's side went away while it ran. */
  lost?: string;
}

/**
 * What both executors share while a command runs: output into the job log (in
 * order, decoded per stream), a tail in memory, a progress line in chat at most
 * every 30 s for a long step, and the result line.
 */
export class StepWatch {
  private out = "";
  private logChain: Promise<void> = Promise.resolve();
  private started = 0;
  private lastProgress = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ctx: ExecContext,
    private readonly o: WatchOptions,
  ) {}

  start(): void {
    this.started = this.o.clock.now();
    this.lastProgress = this.started;
    if (!this.ctx.progress) return;
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 1000);
    this.timer.unref();
  }

  /** A decoder per output stream, so a UTF-8 character split across chunks stays whole. */
  stream(): (chunk: Buffer) => void {
    const dec = new StringDecoder("utf8");
    return (chunk) => this.data(dec.write(chunk));
  }

  data(text: string): void {
    if (!text) return;
    this.out += text;
    if (this.out.length > KEEP_CHARS * 2) this.out = this.out.slice(-KEEP_CHARS);
    this.logChain = this.logChain.then(() => this.ctx.log(text)).catch(() => {});
  }

  /** A line of the bot's own in the job log ("[ssh] timed out …"). */
  note(text: string): void {
    this.logChain = this.logChain.then(() => this.ctx.log(`[${text}]\n`)).catch(() => {});
  }

  private tick(): void {
    const now = this.o.clock.now();
    const every = this.o.progressEveryMs ?? PROGRESS_EVERY_MS;
    if (now - this.lastProgress < every) return;
    this.lastProgress = now;
    const last = this.out.trimEnd().split("\n").pop()?.trim();
    const line = `still running on ${this.o.where} (${formatDuration(now - this.started)})${last ? `: ${last.slice(0, 200)}` : ""}`;
    void this.ctx.progress?.(line).catch(() => {});
  }

  /** Stops the progress timer, waits for the log, and builds the result. */
  async finish(e: Ending): Promise<StepResult> {
    if (this.timer) clearInterval(this.timer);
    const durationMs = this.o.clock.now() - this.started;
    const took = stepDuration(durationMs);
    let summary: string;
    if (e.timedOutAfter !== undefined) {
      summary = `timed out after ${stepDuration(e.timedOutAfter)} on ${this.o.where}; ${e.stopped ?? "stopped"}${e.exit !== undefined ? ` (exit ${e.exit})` : ""}`;
    } else if (e.lost) {
      summary = `${e.lost}${e.stopped ? ` (${e.stopped})` : ""} after ${took}: state unknown — check ${this.o.where}`;
    } else if (e.exit !== undefined) {
      summary = `exit ${e.exit} in ${took}`;
    } else if (e.signal) {
      summary = `ended by signal ${e.signal} after ${took}`;
    } else {
      summary = `ended without an exit status after ${took}`;
    }
    this.note(summary);
    await this.logChain;
    return {
      ok: e.exit === 0 && e.timedOutAfter === undefined && !e.lost,
      exit: e.exit,
      signal: e.signal,
      timedOut: e.timedOutAfter !== undefined ? true : undefined,
      durationMs,
      output: this.out,
      summary,
    };
  }
}

/** A result for a step that never started (no connection, no such host, bad key). */
export async function notStarted(ctx: ExecContext, reason: string): Promise<StepResult> {
  await ctx.log(`[${reason}]\n`).catch(() => {});
  return { ok: false, durationMs: 0, output: "", summary: reason };
}
