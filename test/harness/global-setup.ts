import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeLeftovers, findLeftovers, killLeftovers } from "./leftovers.js";
import { RUN_ENV } from "./processes.js";

/**
 * One temp folder per run: every test's temp files go in it (TMPDIR), and every
 * process a test starts carries its path (RUN_ENV) and inherits it to what it
 * starts. After the suite, anything of this run still running is killed and
 * the run fails naming it: a test must leave nothing behind.
 */
let runDir = "";

export function setup(): void {
  runDir = mkdtempSync(join(tmpdir(), "changebot-run-"));
  process.env[RUN_ENV] = runDir;
  process.env.TMPDIR = runDir;
}

export async function teardown(): Promise<void> {
  const left = findLeftovers(runDir);
  await killLeftovers(left);
  if (left.length > 0) {
    // Throwing here is only printed ("error during close") and vitest still exits 0.
    process.exitCode = 1;
    console.error(
      `\nFAIL: the tests left ${left.length} process(es) running; killed now:\n${describeLeftovers(left)}\n`,
    );
  }
  rmSync(runDir, { recursive: true, force: true });
}
