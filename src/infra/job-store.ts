import type { Redis } from "ioredis";
import type { Clock } from "../core/clock.js";
import { type RedisScript, redisScript } from "./redis-script.js";

/**
 * What `!jobs`, `!job 42` and `!job log 42` show: one record per job, kept in
 * Redis apart from BullMQ's own bookkeeping so it survives removal of finished
 * jobs, with the job's output log beside it (capped).
 */

export type JobState = "queued" | "running" | "done" | "failed" | "interrupted" | "cancelled";
export const TERMINAL: readonly JobState[] = ["done", "failed", "interrupted", "cancelled"];

export interface JobRecord {
  id: number;
  /** Handler name ("ping", "rc-mode", "lpndt", …). */
  name: string;
  /** One line: what it does ("lpndt service-stop cron-fdt"). */
  summary: string;
  state: JobState;
  /** Who asked, as shown ("alice"), and as matched ("console:alice"). */
  by: string;
  byId: string;
  network: string;
  channel: string;
  /** The ref of the ack message, so results thread under it. */
  ref: string;
  threadId?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** How many times a worker began it (1 for a job that ran exactly once). */
  runs: number;
  worker?: string;
  exit?: number;
  result?: string;
  data: Record<string, unknown>;
  /**
   * What the job's end says in chat (JSON: text, kind, outputLines), written with its
   * final state and cleared once that message is in the outbox: a worker that died
   * between the two leaves it, and the job's redelivery says it (runner.ts).
   */
  unsaid?: string;
  /** Set when someone resolved an interrupted job by hand (`!job done`) or it was retried as another job. */
  resolution?: string;
}

export class JobStore {
  private readonly createScript: RedisScript;
  private readonly beginScript: RedisScript;
  private readonly endScript: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly logCapBytes = 1_048_576,
  ) {
    this.createScript = redisScript(redis, "changebotJobCreate", CREATE, 2);
    this.beginScript = redisScript(redis, "changebotJobBegin", BEGIN, 1);
    this.endScript = redisScript(redis, "changebotJobEnd", END, 2);
  }

  private key(id: number) {
    return `${this.prefix}:job:${id}`;
  }
  private logKey(id: number) {
    return `${this.prefix}:joblog:${id}`;
  }

  async create(
    init: Omit<JobRecord, "id" | "state" | "createdAt" | "runs" | "ref">,
    ackPending = false,
  ): Promise<JobRecord> {
    const fields = serialize({ ...init, state: "queued", createdAt: this.clock.now(), runs: 0 });
    if (ackPending) fields.ackPending = "1";
    // The id, the record and its index entry in one round trip (the id is only known inside).
    const id = Number(
      await this.createScript(
        `${this.prefix}:seq:job`,
        `${this.prefix}:jobs`,
        `${this.prefix}:job:`,
        ...Object.entries(fields).flat(),
      ),
    );
    return { ...init, id, ref: `j${id}`, state: "queued", createdAt: Number(fields.createdAt), runs: 0 };
  }

  async get(id: number): Promise<JobRecord | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    return h.id ? deserialize(h) : undefined;
  }

  /** Only the job's state (what a waiter checks), without reading the whole record. */
  async state(id: number): Promise<JobState | undefined> {
    return ((await this.redis.hget(this.key(id), "state")) ?? undefined) as JobState | undefined;
  }

  async update(id: number, patch: Partial<JobRecord>): Promise<void> {
    await this.redis.hset(this.key(id), serialize(patch));
  }

  /**
   * Writes the job's end (its final state, result, …) and the audit entry that
   * records it in one script: one round trip, and a redelivery finds both or
   * neither. Returns whether the job's ack is still pending.
   */
  async end(
    id: number,
    patch: Partial<JobRecord>,
    audit: { key: string; fields: readonly string[] },
  ): Promise<boolean> {
    const fields = Object.entries(serialize(patch)).flat();
    const pending = await this.endScript(
      this.key(id),
      audit.key,
      fields.length / 2,
      ...fields,
      ...audit.fields,
    );
    return pending === 1;
  }

  /**
   * A worker takes the job up: returns its record as it was, and unless it had
   * already finished (a redelivery) marks it running and counts the run, in
   * the same round trip. Undefined when there is no record.
   */
  async begin(id: number, worker: string): Promise<JobRecord | undefined> {
    const flat = (await this.beginScript(
      this.key(id),
      String(this.clock.now()),
      worker,
      ...TERMINAL,
    )) as string[];
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
    return h.id ? deserialize(h) : undefined;
  }

  /** The message of the job's end is in the outbox (see JobRecord.unsaid). */
  async said(id: number): Promise<void> {
    await this.redis.hdel(this.key(id), "unsaid");
  }

  /** The job's ack is in the outbox: what the job says may follow it now. */
  async acked(id: number): Promise<void> {
    await this.redis.hdel(this.key(id), "ackPending");
  }

  /**
   * Waits (briefly) until the job's ack is in the outbox, so the job's own messages
   * come after it and thread under it. A front end that died before acking holds
   * nothing up for longer than maxMs.
   */
  async waitAcked(id: number, maxMs = 5000, pending = true): Promise<void> {
    if (!pending) return;
    const until = Date.now() + maxMs;
    while ((await this.redis.hexists(this.key(id), "ackPending")) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async recent(limit = 10): Promise<JobRecord[]> {
    const ids = await this.redis.zrevrange(`${this.prefix}:jobs`, 0, limit - 1);
    const recs = await Promise.all(ids.map((i) => this.get(Number(i))));
    return recs.filter((r): r is JobRecord => !!r);
  }

  /** Appends output to the job's log; past the cap, one note and nothing more. */
  async appendLog(id: number, text: string): Promise<void> {
    if (!text) return;
    const size = await this.redis.strlen(this.logKey(id));
    if (size >= this.logCapBytes) return;
    const room = this.logCapBytes - size;
    const buf = Buffer.from(text);
    if (buf.length <= room) {
      await this.redis.append(this.logKey(id), text);
      return;
    }
    const cut = buf
      .subarray(0, room)
      .toString()
      .replace(/\uFFFD$/, "");
    await this.redis.append(
      this.logKey(id),
      `${cut}\n[log cap of ${this.logCapBytes} bytes reached; further output dropped]\n`,
    );
  }

  async log(id: number): Promise<string> {
    return (await this.redis.get(this.logKey(id))) ?? "";
  }
}

/** KEYS: sequence, index; ARGV: record key prefix, then field, value, … */
const CREATE = `local id = redis.call("incr", KEYS[1])
redis.call("hset", ARGV[1] .. id, "id", id, "ref", "j" .. id, unpack(ARGV, 2))
redis.call("zadd", KEYS[2], id, id)
return id`;

/** KEYS: record; ARGV: now, worker, terminal states… Returns the record as it was. */
const BEGIN = `local h = redis.call("hgetall", KEYS[1])
if #h == 0 then return h end
local state = redis.call("hget", KEYS[1], "state")
for i = 3, #ARGV do if ARGV[i] == state then return h end end
redis.call("hset", KEYS[1], "state", "running", "startedAt", ARGV[1], "worker", ARGV[2])
redis.call("hincrby", KEYS[1], "runs", 1)
return h`;

/**
 * KEYS: record, audit stream; ARGV: number of record fields N, then N field,
 * value pairs, then the audit entry's field, value pairs. Returns 1 if the
 * job's ack is still pending.
 */
const END = `local n = tonumber(ARGV[1])
redis.call("hset", KEYS[1], unpack(ARGV, 2, 1 + 2 * n))
local pending = redis.call("hexists", KEYS[1], "ackPending")
redis.call("xadd", KEYS[2], "*", unpack(ARGV, 2 + 2 * n))
return pending`;

function serialize(rec: Partial<JobRecord>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (v === undefined) continue;
    out[k] = k === "data" ? JSON.stringify(v) : String(v);
  }
  return out;
}

function deserialize(h: Record<string, string>): JobRecord {
  const num = (k: string) => (h[k] !== undefined && h[k] !== "" ? Number(h[k]) : undefined);
  return {
    id: Number(h.id),
    name: h.name ?? "",
    summary: h.summary ?? "",
    state: (h.state ?? "queued") as JobState,
    by: h.by ?? "",
    byId: h.byId ?? "",
    network: h.network ?? "",
    channel: h.channel ?? "",
    ref: h.ref ?? `j${h.id}`,
    threadId: h.threadId,
    createdAt: num("createdAt") ?? 0,
    startedAt: num("startedAt"),
    finishedAt: num("finishedAt"),
    runs: num("runs") ?? 0,
    worker: h.worker,
    exit: num("exit"),
    result: h.result,
    data: h.data ? JSON.parse(h.data) : {},
    resolution: h.resolution,
    unsaid: h.unsaid,
  };
}

/** The last n lines of a text, and whether anything was cut. */
export function tail(text: string, n: number): { lines: string[]; cut: number } {
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines.length === 1 && lines[0] === "") return { lines: [], cut: 0 };
  return { lines: lines.slice(-n), cut: Math.max(0, lines.length - n) };
}
