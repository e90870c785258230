import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { type ChildBot, startChildBot } from "../harness/child-bot.js";
import { testConfig } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { afterAll, beforeAll, describe, expect, type RedisServer, test } from "../harness/fixtures.js";
import type { Sshd } from "../harness/sshd.js";

// Two child bots start one after the other: on a loaded machine that alone can take half a minute.
describe("SIGTERM while a remote step runs", { timeout: 90_000 }, () => {
  let sshd: Sshd;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "changebot-shutdown-"));
  });
  test.beforeAll(({ sshd: s }) => {
    sshd = s;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A config for one test (the test's key prefix, a log file of its own), with the grace period given. */
  function writeConfig(
    { redis, prefix }: { redis: RedisServer; prefix: string },
    shutdownGraceMs: number,
  ): { file: string; logFile: string } {
    const id = randomBytes(3).toString("hex");
    const file = join(dir, `changebot-${id}.yaml`);
    const logFile = join(dir, `changebot-${id}.log`);
    writeFileSync(
      file,
      stringify(
        testConfig({
          redis: redis.url,
          prefix,
          channel: "console",
          roles: { engineer: ["tester"] },
          dataDir: dir,
          log: { file: logFile },
          hosts: { bastion: sshd.hostEntry() },
          lpndt: { host: "bastion", services: ["cron-fdt"] },
          jobs: { lockMs: 1000, stalledCheckMs: 500, shutdownGraceMs },
        }),
      ),
    );
    return { file, logFile };
  }

  /** Starts the step and waits until the fake lpndt on the host has been called. */
  async function startStep(bot: ChildBot): Promise<void> {
    bot.send("!lpndt service-stop cron-fdt");
    await bot.waitForOutput(/queued #1: lpndt service-stop cron-fdt on bastion/);
    await eventually(() => sshd.calls().length === 1, {
      what: "the remote command to start",
      timeoutMs: 20_000,
    });
  }

  const exited = (bot: ChildBot) =>
    new Promise<number | null>((r) => {
      if (bot.proc.exitCode !== null) r(bot.proc.exitCode);
      else bot.proc.once("exit", (code) => r(code));
    });

  test("lets a step that ends within the grace period finish and records it done", async ({
    redis,
    prefix,
  }) => {
    sshd.clearCalls();
    const release = join(dir, `release-${randomBytes(3).toString("hex")}`);
    sshd.behave("lpndt", { output: ["stopping cron-fdt"], holdUntil: release });
    const { file, logFile } = writeConfig({ redis, prefix }, 5_000);
    const first = startChildBot(file);
    await startStep(first);
    const gone = exited(first);
    first.proc.kill("SIGTERM");
    await eventually(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes("shutting down"), {
      what: "the bot to begin shutting down",
      timeoutMs: 20_000,
    });
    expect(first.proc.exitCode).toBeNull(); // it waits for the step
    writeFileSync(release, "");
    expect(await gone).toBe(0);
    // The step's result was said before the bot exited.
    expect(first.stdout()).toMatch(/#1 done \([^)]*\): lpndt service-stop cron-fdt on bastion: exit 0/);

    const second = startChildBot(file);
    try {
      second.send("!whoami");
      await second.waitForOutput(/tester/);
      second.send("!job 1");
      await second.waitForOutput(/#1 done \(exit 0\): lpndt service-stop cron-fdt/);
      expect(second.stdout()).not.toContain("interrupted");
    } finally {
      expect(await second.end()).toBe(0);
    }
    expect(sshd.calls()).toEqual(["lpndt [service-stop] [cron-fdt]"]);
  });

  test("ends a step that outlives the grace period, exits, and reports it interrupted after restart", async ({
    redis,
    prefix,
  }) => {
    sshd.clearCalls();
    const never = join(dir, `never-${randomBytes(3).toString("hex")}`);
    sshd.behave("lpndt", { output: ["stopping cron-fdt"], holdUntil: never, holdOutput: "still stopping" });
    const grace = 1_500;
    const { file } = writeConfig({ redis, prefix }, grace);
    const first = startChildBot(file);
    await startStep(first);
    const gone = exited(first);
    const t0 = Date.now();
    first.proc.kill("SIGTERM");
    expect(await gone).toBe(0);
    // It waited the grace period for the step (never less), then exited although
    // the step would never end by itself: exiting at all shows it did not wait for it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(grace);
    // The session was closed and the command is gone from the host. (sshd refuses
    // signal requests in a root login, as the tests run, so here it is the close that ends it.)
    await eventually(() => !running(`${sshd.dir}/bin/lpndt`), {
      what: "the remote command to end",
      timeoutMs: 5_000,
    });

    const second = startChildBot(file);
    try {
      second.send("!whoami");
      const out = await second.waitForOutput(/#1 interrupted/);
      expect(out).toContain(
        "[alert] #1 interrupted: state unknown (the bot stopped while it ran) — check, then `!job retry 1` or `!job done 1`",
      );
      second.send("!job log 1");
      await second.waitForOutput(/the bot shut down while this ran/);
      expect(second.stdout()).toContain(
        "the bot stopped the command at shutdown (sent TERM, then KILL, and closed the session; the command may still run — check)",
      );
      expect(second.stdout()).not.toMatch(/#1 (done|FAILED)/);
    } finally {
      expect(await second.end()).toBe(0);
    }
    expect(sshd.calls()).toEqual(["lpndt [service-stop] [cron-fdt]"]);
  });
});

/** Whether a process whose command line contains `what` runs on this machine. */
function running(what: string): boolean {
  try {
    execFileSync("pgrep", ["-f", what], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
