import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type ChildBot, startChildBot } from "../harness/child-bot.js";
import { startRedis } from "../harness/servers.js";
import { type Sshd, startSshd } from "../harness/sshd.js";

/** Polls until cond() holds (the bot works in another process). */
async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("SIGTERM while a remote step runs", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let sshd: Sshd;
  let dir: string;
  beforeAll(async () => {
    [redis, sshd] = await Promise.all([startRedis(), startSshd()]);
    dir = mkdtempSync(join(tmpdir(), "changebot-shutdown-"));
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), sshd?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A config for one test (its own key prefix and log file), with the grace period given. */
  function writeConfig(shutdownGraceMs: number): { file: string; logFile: string } {
    const id = randomBytes(3).toString("hex");
    const file = join(dir, `changebot-${id}.yaml`);
    const logFile = join(dir, `changebot-${id}.log`);
    writeFileSync(
      file,
      stringify({
        redis: redis.url,
        keyPrefix: `stop${id}`,
        dataDir: dir,
        log: { file: logFile },
        networks: { console: { user: "tester", channel: "console" } },
        roles: { engineer: ["console:tester"] },
        hosts: { bastion: sshd.hostEntry() },
        lpndt: { host: "bastion", services: ["cron-fdt"] },
        jobs: { lockMs: 1000, stalledCheckMs: 500, shutdownGraceMs },
      }),
    );
    return { file, logFile };
  }

  /** Starts the step and waits until the fake lpndt on the host has been called. */
  async function startStep(bot: ChildBot): Promise<void> {
    bot.send("!lpndt service-stop cron-fdt");
    await bot.waitForOutput(/queued #1: lpndt service-stop cron-fdt on bastion/);
    await until(() => sshd.calls().length === 1, "the remote command to start");
  }

  const exited = (bot: ChildBot) =>
    new Promise<number | null>((r) => {
      if (bot.proc.exitCode !== null) r(bot.proc.exitCode);
      else bot.proc.once("exit", (code) => r(code));
    });

  it("lets a step that ends within the grace period finish and records it done", async () => {
    sshd.clearCalls();
    const release = join(dir, `release-${randomBytes(3).toString("hex")}`);
    sshd.behave("lpndt", { output: ["stopping cron-fdt"], holdUntil: release });
    const { file, logFile } = writeConfig(5_000);
    const first = startChildBot(file);
    await startStep(first);
    const gone = exited(first);
    first.proc.kill("SIGTERM");
    await until(
      () => existsSync(logFile) && readFileSync(logFile, "utf8").includes("shutting down"),
      "the bot to begin shutting down",
    );
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

  it("ends a step that outlives the grace period, exits, and reports it interrupted after restart", async () => {
    sshd.clearCalls();
    const never = join(dir, `never-${randomBytes(3).toString("hex")}`);
    sshd.behave("lpndt", { output: ["stopping cron-fdt"], holdUntil: never, holdOutput: "still stopping" });
    const grace = 1_500;
    const { file } = writeConfig(grace);
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
    await until(() => !running(`${sshd.dir}/bin/lpndt`), "the remote command to end", 5_000);

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
