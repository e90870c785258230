import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * What Linux's /proc says about a process, for telling a live private Redis from
 * a pid that was reused or a process that is only a zombie.
 */

/** Whether pid is a running process (a zombie — dead, not yet reaped — counts as gone). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) S …": the state follows the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") return signalZero(pid);
    return false;
  }
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The command line (its arguments joined by spaces; redis-server rewrites it to "redis-server 127.0.0.1:PORT"). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0+/g, " ").trim();
  } catch {
    return "";
  }
}

/** The working directory (redis-server changes into its --dir). */
export function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** A live redis-server whose folder is dir (its working directory), so never a reused pid. */
export function isRedisIn(pid: number, dir: string): boolean {
  return isAlive(pid) && /(^|\/)redis-server\b/.test(cmdline(pid)) && cwdOf(pid) === dir;
}

/** Every live redis-server of this user whose folder is dir, with the port its title names. */
export function redisServersIn(dir: string): { pid: number; port?: number }[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
  return pids
    .filter((pid) => isRedisIn(pid, dir))
    .map((pid) => {
      const m = /:(\d+)\b/.exec(cmdline(pid));
      return { pid, port: m ? Number(m[1]) : undefined };
    });
}

/** Resolves once pid is gone; SIGKILL after killAfterMs. */
export async function waitGone(pid: number, killAfterMs = 10_000): Promise<void> {
  const deadline = Date.now() + killAfterMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
