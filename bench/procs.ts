/**
 * Processes a benchmark starts: each in a process group of its own, through the
 * test harness's registry (test/harness/processes.ts), and all ended when the
 * benchmark finishes, fails or is interrupted (Ctrl-C), so nothing outlives it.
 */
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { resolve } from "node:path";
import { endAllTracked, endGroup, spawnTracked } from "../test/harness/processes.js";

export const ROOT = resolve(import.meta.dirname, "..");

export function spawnBench(bin: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawnTracked(bin, args, { cwd: ROOT, ...opts });
}

export { endGroup };

/** Ends every group still running; for the end of a run and for signals. */
export async function endAll(): Promise<void> {
  await endAllTracked();
}

let installed = false;
/** On SIGINT/SIGTERM: end what the benchmarks started, then exit. */
export function cleanUpOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      void endAll().finally(() => process.exit(130));
    });
}

/** Waits for a child's stdout to show a line matching re. */
export function waitForOutput(proc: ChildProcess, re: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((res, rej) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString();
      const line = buf.split("\n").find((l) => re.test(l));
      if (line !== undefined) {
        done();
        res(line);
      }
    };
    const onExit = () => {
      done();
      rej(new Error(`exited before printing ${re}:\n${buf}`));
    };
    const timer = setTimeout(() => {
      done();
      rej(new Error(`no line matching ${re} within ${timeoutMs} ms:\n${buf}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      proc.stdout?.off("data", onData);
      proc.off("exit", onExit);
    };
    proc.stdout?.on("data", onData);
    proc.once("exit", onExit);
  });
}

/** Node's flags as ./changebot (and bin/changebot.js as a command) start the bot. */
export const BOT_NODE_FLAGS = ["--max-semi-space-size=1", "--v8-pool-size=2", "--initial-old-space-size=8"];
