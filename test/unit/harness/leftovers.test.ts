import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");

/** Runs the fixture suite in test/fixtures/leak with its own vitest; resolves with its exit code, output and pids. */
function runFixture(
  leak: "harness" | "outside" | "none",
): Promise<{ code: number; out: string; pids: number[] }> {
  const pidFile = join(mkdtempSync(join(tmpdir(), "leak-")), "pids");
  return new Promise((res) => {
    execFile(
      process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "--config", "test/fixtures/leak/vitest.config.ts"],
      { cwd: ROOT, env: { ...process.env, LEAK: leak, LEAK_PIDS: pidFile, NO_COLOR: "1" } },
      (err, stdout, stderr) => {
        const pids = readFileSync(pidFile, "utf8").split("\n").map(Number);
        res({ code: err ? Number(err.code) : 0, out: stdout + stderr, pids });
      },
    );
  });
}

/** Whether a process runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("the suite's process check", () => {
  it("fails a run that leaves processes behind, names them, and kills them", {
    timeout: 60_000,
  }, async () => {
    const [harness, outside, none] = await Promise.all([
      runFixture("harness"),
      runFixture("outside"),
      runFixture("none"),
    ]);

    // Started through the harness and never stopped: the file fails, naming it and its test.
    expect(harness.code, harness.out).toBe(1);
    expect(harness.out).toMatch(
      /left running by this file \(now killed\):\n {2}pid \d+: sleep 1000 \(started by .*leak\.fixture\.ts > starts processes\)/,
    );
    expect(harness.pids.filter(running)).toEqual([]);

    // Started outside the harness (the tests themselves pass): the run fails after the suite, naming each.
    expect(outside.code, outside.out).toBe(1);
    expect(outside.out).toContain("Tests  1 passed");
    expect(outside.out).toMatch(/FAIL: the tests left 2 process\(es\) running; killed now:/);
    expect(outside.out).toMatch(/pid \d+: sleep 1001\n/);
    expect(outside.out).toMatch(/pid \d+: sleep 1002\n/);
    expect(outside.pids).toHaveLength(3);
    expect(outside.pids.filter(running)).toEqual([]);

    // A suite that stops what it started passes, and its own workers do not count.
    expect(none.code, none.out).toBe(0);
    expect(none.out).not.toMatch(/left running|FAIL/);
  });
});
