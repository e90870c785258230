import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { StartupError } from "../core/errors.js";
import { isAlive } from "./proc.js";

/**
 * An exclusive lock between processes on one machine: a file created with
 * O_EXCL holding the owner's pid. A lock whose owner died (kill -9 while
 * holding it) is stale and taken over; the takeover itself is guarded by a
 * second O_EXCL file, so two processes never both break and both take it.
 */

/** Creates path exclusively with our pid; false if it exists. */
function create(path: string): boolean {
  try {
    const fd = openSync(path, "wx", 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return undefined; // gone
  }
}

function remove(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Removes path if its owner is dead (or unreadable); true if it was removed or had gone. */
function breakIfStale(path: string): boolean {
  const owner = ownerOf(path);
  if (owner === undefined) return true;
  if (owner && (owner === process.pid || isAlive(owner))) return false;
  const breaker = `${path}.break`;
  if (!create(breaker)) {
    const b = ownerOf(breaker);
    if (b && isAlive(b)) return false;
    remove(breaker); // its owner died in the instant it held it
    return false;
  }
  try {
    // Still the same dead owner? (Another process may have broken and taken it meanwhile.)
    if (ownerOf(path) === owner) remove(path);
  } finally {
    remove(breaker);
  }
  return true;
}

/** Takes the lock once, without waiting; returns its release, or undefined if another live process holds it. */
export function tryLock(path: string): (() => void) | undefined {
  for (let i = 0; i < 3; i++) {
    if (create(path)) return () => ownerOf(path) === process.pid && remove(path);
    if (!breakIfStale(path)) return undefined;
  }
  return undefined;
}

/** Waits for the lock up to timeoutMs; the error names the holder. */
export async function lock(path: string, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const release = tryLock(path);
    if (release) return release;
    if (Date.now() > deadline)
      throw new StartupError(
        `${path} is held by process ${ownerOf(path)}; it did not let go within ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  }
}
