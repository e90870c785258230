import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

/**
 * Every process a test starts goes through here: it gets a process group of its
 * own (so it and whatever it forks end together) and a line in this run's
 * registry, a file in the run's folder (test/harness/global-setup.ts sets RUN_ENV), which
 * the global teardown reads after the suite: test files run in forked workers,
 * so a list kept in memory would not reach it.
 */
export const RUN_ENV = "CHANGEBOT_TEST_RUN";
export const REGISTRY = "processes.jsonl";

export interface Registered {
  pid: number;
  cmd: string;
  /** The test file and test that started it. */
  test: string;
}

/** Groups started in this worker that have not been ended yet. */
const live = new Map<number, { proc: ChildProcess; entry: Registered }>();

function currentTest(): string {
  try {
    const s = expect.getState();
    return [s.testPath, s.currentTestName].filter(Boolean).join(" > ");
  } catch {
    return "";
  }
}

/** Records a started process (and its group) in the run's registry. */
export function register(pid: number, cmd: string): Registered {
  const entry = { pid, cmd, test: currentTest() };
  const run = process.env[RUN_ENV];
  if (run) appendFileSync(join(run, REGISTRY), `${JSON.stringify(entry)}\n`);
  return entry;
}

/** spawn() in a new process group, registered; end it with endGroup(). */
export function spawnTracked(bin: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const proc = spawn(bin, args, { ...opts, detached: true });
  if (proc.pid === undefined) return proc; // failed to start: its "error" event says why
  const entry = register(proc.pid, [bin, ...args].join(" "));
  live.set(proc.pid, { proc, entry });
  return proc;
}

function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // the group is already gone
  }
}

const exited = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;

/**
 * Ends a process and its group: `sig` (TERM) to the whole group, then KILL to
 * the group if the leader is still there after graceMs. Resolves once the leader exited.
 */
export async function endGroup(proc: ChildProcess, graceMs = 5_000, sig: NodeJS.Signals = "SIGTERM") {
  if (proc.pid === undefined) return;
  live.delete(proc.pid);
  if (exited(proc)) return killGroup(proc.pid, "SIGKILL");
  const gone = new Promise<void>((res) => proc.once("exit", () => res()));
  killGroup(proc.pid, sig);
  const timer = setTimeout(() => killGroup(proc.pid!, "SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
  killGroup(proc.pid, "SIGKILL");
}

/**
 * Kills every group this worker started and did not end. Returns those whose
 * leader was still running (a test forgot to stop it); a group whose leader a
 * test killed on purpose (kill -9 of a bot) is cleaned up without a word.
 */
export async function endAllTracked(): Promise<Registered[]> {
  const all = [...live.values()];
  const running = all.filter(({ proc }) => !exited(proc));
  await Promise.all(all.map(({ proc }) => endGroup(proc, 0, "SIGKILL")));
  return running.map(({ entry }) => entry);
}
