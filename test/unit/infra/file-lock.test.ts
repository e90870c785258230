import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lock, tryLock } from "../../../src/infra/file-lock.js";

describe("the private Redis's lock file", () => {
  const dir = mkdtempSync(join(tmpdir(), "changebot-lock-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is taken over from an owner that died holding it", async () => {
    const file = join(dir, "dead.lock");
    const dead = spawnSync("true").pid; // exited and reaped: its pid names no process
    writeFileSync(file, String(dead));
    const release = await lock(file, 1_000);
    expect(readFileSync(file, "utf8")).toBe(String(process.pid));
    release();
    expect(existsSync(file)).toBe(false);
  });

  it("is not taken from a live owner, and the error names it", async () => {
    const file = join(dir, "live.lock");
    writeFileSync(file, "1"); // init: always alive
    expect(tryLock(file)).toBeUndefined();
    await expect(lock(file, 200)).rejects.toThrow(`${file} is held by process 1`);
    expect(readFileSync(file, "utf8")).toBe("1");
  });
});
