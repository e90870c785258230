import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { StartupError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { isoTime } from "../core/time.js";
import { lock, tryLock } from "./file-lock.js";
import { isAlive, isRedisIn, redisServersIn, waitGone } from "./proc.js";
import { findBinary, freePort, portFree, REDIS_PACKAGE_HINT, redisServerArgs } from "./redis.js";

/**
 * The private Redis of a data folder: at most one redis-server per folder,
 * shared by every bot started on it. It runs detached (its own session and
 * process group), so neither a kill -9 of a bot nor a Ctrl-C on the bot's
 * terminal stops it mid-write; it is recorded in `<dataDir>/redis/changebot-redis.json`
 * with the pids of the bots using it, under an exclusive lock file. A bot
 * stopping stops it only if no other recorded bot is alive; one left behind by
 * a crash is found and reused on the next start.
 */

export interface PrivateRedis {
  url: string;
  /** Leaves the Redis to the other bots using it, or stops it if there are none. */
  stop(): Promise<void>;
  /** The same without waiting (a forced exit): the last user sends it TERM, which saves and exits. */
  abandon(): void;
}

interface RedisRecord {
  pid: number;
  port: number;
  startedAt: string;
  bots: number[];
}

const RECORD = "changebot-redis.json";
const LOCK = "changebot-redis.lock";
/** Replaying a large append-only file can take a while, and the lock is held meanwhile. */
const START_MS = 20_000;

/** The redis-servers this process spawned: reaped by Node, so waited for through their exit event. */
const spawned = new Map<number, ChildProcess>();

/** Resolves once the Redis has exited (and, if ours, been reaped: no zombie outlives the bot). */
async function gone(pid: number): Promise<void> {
  const child = spawned.get(pid);
  if (!child || child.exitCode !== null || child.signalCode !== null) return waitGone(pid);
  const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await new Promise((r) => child.once("exit", r));
  clearTimeout(kill);
}

function readRecord(dir: string): RedisRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(dir, RECORD), "utf8")) as RedisRecord;
    return Number.isInteger(r.pid) && Number.isInteger(r.port) ? { ...r, bots: r.bots ?? [] } : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole (a temp file renamed over it), so a reader never sees half a record. */
function writeRecord(dir: string, r: RedisRecord): void {
  const tmp = join(dir, `${RECORD}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(r)}\n`);
  renameSync(tmp, join(dir, RECORD));
}

function removeRecord(dir: string): void {
  try {
    unlinkSync(join(dir, RECORD));
  } catch {
    // none
  }
}

/** Whether the Redis on port answers and keeps its files in dir; waits up to ms while pid lives. */
async function answers(port: number, dir: string, pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const probe = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      const got = (await probe.config("GET", "dir")) as string[];
      return got[1] === dir;
    } catch {
      if (!isAlive(pid) || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}

function lastLogLine(dir: string): string {
  try {
    return readFileSync(join(dir, "redis.log"), "utf8").trim().split("\n").pop() || "no output";
  } catch {
    return "no output";
  }
}

/** Under the lock: the folder's live Redis (reused), or a new one; the record lists us among its bots. */
async function ensure(dir: string, log: Logger, preferPort?: number): Promise<RedisRecord> {
  const rec = readRecord(dir);
  const others = (r?: RedisRecord) => (r?.bots ?? []).filter((b) => b !== process.pid && isAlive(b));
  const candidates = [
    ...(rec && isRedisIn(rec.pid, dir) ? [{ pid: rec.pid, port: rec.port }] : []),
    // One the record lost (or never got): found by its working directory.
    ...redisServersIn(dir).filter((s) => s.pid !== rec?.pid),
  ];
  if (rec && !candidates.some((c) => c.pid === rec.pid))
    log.info({ pid: rec.pid, dir }, "cleaned the record of a private redis-server that is gone");
  for (const c of candidates) {
    if (c.port && (await answers(c.port, dir, c.pid, START_MS))) {
      const reused = {
        pid: c.pid,
        port: c.port,
        startedAt: rec?.pid === c.pid ? rec.startedAt : isoTime(Date.now()),
        bots: [...others(rec), process.pid],
      };
      writeRecord(dir, reused);
      log.info({ pid: c.pid, port: c.port, dir, bots: reused.bots }, "reusing the private redis-server");
      return reused;
    }
    log.warn({ pid: c.pid, dir }, "a redis-server on this data folder does not answer; stopping it");
    signal(c.pid, "SIGTERM");
    await gone(c.pid);
  }
  removeRecord(dir);
  const bin = findBinary("redis-server");
  if (!bin) throw new StartupError(REDIS_PACKAGE_HINT);
  const port = preferPort ?? (rec?.port && (await portFree(rec.port)) ? rec.port : await freePort());
  const args = [...redisServerArgs(port, dir, true), "--logfile", join(dir, "redis.log")];
  const child = spawn(bin, args, { stdio: "ignore", detached: true });
  child.unref();
  child.on("error", () => {}); // reported below: it never answers
  const pid = child.pid;
  if (!pid) throw new StartupError(`private redis-server did not start: ${bin} could not be run`);
  spawned.set(pid, child);
  child.once("exit", () => spawned.delete(pid));
  const started = { pid, port, startedAt: isoTime(Date.now()), bots: [...others(rec), process.pid] };
  // Recorded before it answers: a bot killed now leaves a Redis the next start finds.
  writeRecord(dir, started);
  if (!(await answers(port, dir, pid, START_MS))) {
    signal(pid, "SIGKILL");
    removeRecord(dir);
    throw new StartupError(`private redis-server did not start: ${lastLogLine(dir)}`);
  }
  log.info({ pid, port, dir }, "private redis-server started");
  return started;
}

/** Starts (or joins) the data folder's private Redis: loopback only, append-only persistence in dataDir/redis. */
export async function startPrivateRedis(dataDir: string, log: Logger): Promise<PrivateRedis> {
  mkdirSync(resolve(dataDir, "redis"), { recursive: true });
  const dir = realpathSync(resolve(dataDir, "redis"));
  const lockFile = join(dir, LOCK);
  const locked = async <T>(f: () => Promise<T>): Promise<T> => {
    const release = await lock(lockFile, START_MS * 2);
    try {
      return await f();
    } finally {
      release();
    }
  };
  let rec = await locked(() => ensure(dir, log));
  let stopping = false;
  // A private Redis that dies under a running bot is started again, on the same port.
  const watch = setInterval(() => {
    if (stopping || isAlive(rec.pid)) return;
    log.error({ pid: rec.pid }, "private redis-server exited; restarting it");
    void locked(() => ensure(dir, log, rec.port))
      .then((r) => {
        rec = r;
      })
      .catch((e) => log.error({ err: (e as Error).message }, "could not restart the private redis-server"));
  }, 1000);
  watch.unref();
  /** Drops us from the record; true if we were its last live bot (the caller then stops it). */
  const leave = (): boolean => {
    const now = readRecord(dir);
    if (!now) return false;
    now.bots = now.bots.filter((b) => b !== process.pid && isAlive(b));
    if (now.bots.length) {
      writeRecord(dir, now);
      log.info({ pid: now.pid, bots: now.bots }, "private redis-server left running for the other bots");
      return false;
    }
    removeRecord(dir);
    if (isRedisIn(now.pid, dir)) signal(now.pid, "SIGTERM");
    rec = now;
    return true;
  };
  const onExit = () => abandon();
  const abandon = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    process.off("exit", onExit);
    const release = tryLock(lockFile);
    if (!release) return; // busy: the next start finds the Redis and reuses it
    try {
      leave();
    } finally {
      release();
    }
  };
  process.on("exit", onExit);
  return {
    url: `redis://127.0.0.1:${rec.port}`,
    abandon,
    stop: async () => {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      process.off("exit", onExit);
      await locked(async () => {
        if (leave()) {
          await gone(rec.pid);
          log.info({ pid: rec.pid }, "private redis-server stopped");
        }
      });
    },
  };
}
