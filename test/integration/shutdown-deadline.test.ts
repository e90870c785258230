import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../src/infra/proc.js";
import { type ChildBot, spawnBot, writeConfig } from "../harness/child.js";
import { testConfig } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { startRedis } from "../harness/servers.js";

/** The bot's exit, or "still running" after ms (a bot that never ends fails the test, not its timeout). */
const exitWithin = (bot: ChildBot, ms: number) =>
  Promise.race([
    bot.exited(),
    new Promise<"still running">((r) => setTimeout(() => r("still running"), ms).unref()),
  ]);

describe("SIGTERM while Redis is away and a job runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "changebot-deadline-"));
  const bots: ChildBot[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  const steps: string[] = [];
  afterAll(async () => {
    for (const b of bots) if (b.proc.exitCode === null && b.proc.signalCode === null) await b.kill9();
    for (const f of steps) {
      const pid = existsSync(f) ? Number(readFileSync(f, "utf8")) : 0;
      if (pid && isAlive(pid)) process.kill(pid, "SIGKILL");
    }
    await Promise.all(stoppers.map((s) => s()));
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A bot (child process) on its own redis-server, running `!rc-mode on` whose
   * local step sleeps a minute; resolves once the step runs and Redis is killed.
   */
  async function botStuckWithoutRedis(graceMs: number) {
    const redis = await startRedis();
    stoppers.push(() => redis.stop());
    const id = `${Date.now()}${steps.length}`;
    const step = join(dir, `step-${id}.pid`);
    steps.push(step);
    const logFile = join(dir, `bot-${id}.log`);
    const cfg = writeConfig(
      testConfig({
        redis: redis.url,
        prefix: `deadline${id}`,
        user: "alice",
        log: { file: logFile },
        rcMode: { onSteps: [{ argv: ["sh", "-c", `echo $$ > ${step}; exec sleep 60`] }] },
        jobs: { shutdownGraceMs: graceMs, lockMs: 1000, stalledCheckMs: 500 },
      }),
      mkdtempSync(join(dir, "cfg-")),
    );
    const bot = spawnBot(["--config", cfg]);
    bots.push(bot);
    bot.write("!rc-mode on release 10381");
    await eventually(() => existsSync(step) && readFileSync(step, "utf8").trim() !== "", {
      what: "the step to start",
      timeoutMs: 20_000,
    });
    await redis.kill();
    const log = () => readFileSync(logFile, "utf8");
    return { bot, log, stepPid: Number(readFileSync(step, "utf8")) };
  }

  it("exits within the grace period plus 5 s, and reports the lost Redis with backoff", {
    timeout: 90_000,
  }, async () => {
    const grace = 2_000;
    const { bot, log, stepPid } = await botStuckWithoutRedis(grace);
    // What the log gets while Redis stays away, over 10 s.
    const from = log().length;
    await new Promise((r) => setTimeout(r, 10_000));
    const warnings = log()
      .slice(from)
      .split("\n")
      .filter((l) => l && JSON.parse(l).level >= 40);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(5);
    expect(warnings.join("\n")).toContain("redis connection problem");

    const t0 = Date.now();
    bot.proc.kill("SIGTERM");
    const exit = await exitWithin(bot, grace + 20_000);
    const took = Date.now() - t0;
    expect(exit).not.toBe("still running");
    expect(took).toBeLessThanOrEqual(grace + 5_000);
    // The running command was stopped, not left behind.
    await eventually(() => !isAlive(stepPid), { what: "the step's command to end", timeoutMs: 5_000 });
  });

  it("ends at once on a second SIGTERM while the first waits for a job", { timeout: 90_000 }, async () => {
    const { bot, log } = await botStuckWithoutRedis(60_000);
    bot.proc.kill("SIGTERM");
    await eventually(() => log().includes('"shutting down"'), {
      what: "the bot to begin shutting down",
      timeoutMs: 20_000,
    });
    bot.proc.kill("SIGTERM");
    expect(await exitWithin(bot, 10_000)).toEqual({ code: 143, signal: null });
  });
});
