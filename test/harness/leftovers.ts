import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { REGISTRY, type Registered, RUN_ENV } from "./processes.js";

/**
 * Finds the processes a test run left behind: any process carrying the run's
 * marker in its environment (everything a test spawns inherits it, and so does
 * what those processes spawn: a bot's private redis-server), or whose command
 * line or working folder lies in the run's temp folder (sshd's sessions, which
 * get a fresh environment). Only this run's: parallel runs have other folders.
 */
export interface Leftover {
  pid: number;
  pgid: number;
  cmd: string;
  /** Which test registered its process group, when one did. */
  test?: string;
  /** Its group is one a test started (spawnTracked), so the whole group can go. */
  tracked: boolean;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  cmd: string;
}

function read(pid: number, what: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${what}`, "latin1");
  } catch {
    return undefined;
  }
}

function info(pid: number): ProcInfo | undefined {
  const stat = read(pid, "stat");
  if (!stat) return undefined;
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cmd = (read(pid, "cmdline") ?? "").split("\0").filter(Boolean).join(" ");
  return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), cmd };
}

function ours(p: ProcInfo, runDir: string, byEnv = true): boolean {
  if (p.cmd.includes(runDir)) return true;
  try {
    const cwd = readlinkSync(`/proc/${p.pid}/cwd`);
    if (cwd === runDir || cwd.startsWith(`${runDir}/`)) return true;
  } catch {
    // gone, or not ours to read
  }
  if (!byEnv) return false;
  const env = read(p.pid, "environ") ?? "";
  // A nested run (the teardown's own test) has its folder inside this one.
  return env.split("\0").some((v) => v === `${RUN_ENV}=${runDir}` || v.startsWith(`${RUN_ENV}=${runDir}/`));
}

export function registered(runDir: string): Registered[] {
  const file = join(runDir, REGISTRY);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Registered);
}

/** Live processes of this run, except `self` (the vitest main process) and its own workers. */
export function findLeftovers(runDir: string, self = process.pid): Leftover[] {
  const byGroup = new Map(registered(runDir).map((r) => [r.pid, r]));
  const ownGroup = info(self)?.pgid;
  const found: Leftover[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === self) continue;
    const p = info(pid);
    if (!p || p.state === "Z" || p.state === "X") continue;
    if (p.ppid === self && p.cmd.includes("vitest")) continue; // a test worker
    if (!ours(p, runDir)) continue;
    const reg = byGroup.get(p.pgid);
    found.push({ pid, pgid: p.pgid, cmd: p.cmd, test: reg?.test, tracked: !!reg && p.pgid !== ownGroup });
  }
  return found;
}

const alive = (pid: number) => {
  const p = info(pid);
  return !!p && p.state !== "Z" && p.state !== "X";
};

/** SIGKILL to each leftover (and its group, if a test started it); resolves once they are gone (or after timeoutMs). */
export async function killLeftovers(left: Leftover[], timeoutMs = 5_000): Promise<void> {
  for (const l of left) {
    for (const target of l.tracked ? [l.pid, -l.pgid] : [l.pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (left.some((l) => alive(l.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export function describeLeftovers(left: Leftover[]): string {
  return left
    .map((l) => `  pid ${l.pid}: ${l.cmd}${l.test ? `\n    (its group was started by ${l.test})` : ""}`)
    .join("\n");
}

/**
 * Kills what still runs from a folder (its command line or working folder in
 * it): what sshd's sessions started lives in sessions of its own, not in sshd's group.
 */
export async function killUnder(dir: string): Promise<void> {
  const left: Leftover[] = [];
  for (const name of readdirSync("/proc")) {
    const p = Number.isInteger(Number(name)) ? info(Number(name)) : undefined;
    if (p && p.pid !== process.pid && p.state !== "Z" && ours(p, dir, false))
      left.push({ pid: p.pid, pgid: p.pgid, cmd: p.cmd, tracked: false });
  }
  await killLeftovers(left);
}
