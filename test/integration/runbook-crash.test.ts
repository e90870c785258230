import { join } from "node:path";
import { ROOT, spawnBot, writeConfig } from "../harness/child.js";
import { testConfig } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";
import type { Sshd } from "../harness/sshd.js";

const RSYNC = "rsync [-a] [old:/spool/] [/spool/]";
const LPNDT = "lpndt [service-stop] [cron-fdt]";

describe("a runbook run across kill -9 of the bot, against sshd", () => {
  let sshd: Sshd;
  test.beforeAll(({ runbookSshd }) => {
    sshd = runbookSshd;
  });

  const config = ({ redis, prefix }: { redis: { url: string }; prefix: string }) =>
    writeConfig(
      testConfig({
        redis: redis.url,
        prefix,
        user: "alice",
        hosts: { box: sshd.hostEntry() },
        jobs: { lockMs: 1000, stalledCheckMs: 500 },
        runbooks: join(ROOT, "test/fixtures/runbooks-crash"),
      }),
    );
  const count = (line: string) => sshd.calls().filter((c) => c === line).length;

  test("keeps the loop looping after a kill -9, and runs no iteration twice", { timeout: 90_000 }, async ({
    redis,
    prefix,
  }) => {
    sshd.clearCalls();
    sshd.behave("rsync", { delay: 2 }); // long enough that the kill lands inside an iteration
    const cfg = config({ redis, prefix });
    const first = spawnBot(["--config", cfg]);
    first.write("!migrate start crash-remote");
    first.write("!migrate next");
    await first.waitForLine(/loop "spool" started: every 1s until stopped/);
    await eventually(() => count(RSYNC) >= 2, { what: "the second iteration to start", timeoutMs: 30_000 });
    await first.kill9();
    const before = count(RSYNC);
    sshd.behave("rsync", { delay: 0.1 });

    const second = spawnBot(["--config", cfg]);
    await second.waitForLine(
      /loop "spool" iteration 2 \(#\d+\) was interrupted by a restart and is not re-run; the loop goes on/,
    );
    await eventually(() => count(RSYNC) >= before + 3, {
      what: "three more iterations after the restart",
      timeoutMs: 30_000,
    });
    second.write("!migrate next");
    await second.waitForLine(/#\d+ done .*exit 0/);
    second.write("!migrate next");
    await second.waitForLine(/loop "spool" stopped after \d+ iteration\(s\)/);
    await new Promise((r) => setTimeout(r, 1500)); // an iteration still running finishes; nothing new starts
    second.write("!migrate log");
    const line = await second.waitForLine(/^Loop "spool": \d+ iteration/);
    const n = Number(/: (\d+) iteration/.exec(line)![1]);
    // Every iteration the run counted ran exactly once; one cut short by the kill is
    // counted (as interrupted) and not run again.
    expect(count(RSYNC)).toBe(n);
    expect(count(LPNDT)).toBe(1);
    second.end();
    expect((await second.exited()).code).toBe(0);
  });

  test("reports an ssh step cut short by kill -9 as interrupted, never re-runs it; !job done moves the run on", {
    timeout: 90_000,
  }, async ({ redis, prefix }) => {
    sshd.clearCalls();
    sshd.behave("rsync", {});
    sshd.behave("lpndt", { output: ["stopping cron-fdt"], delay: 30 });
    const cfg = config({ redis, prefix });
    const first = spawnBot(["--config", cfg]);
    first.write("!migrate start crash-remote");
    first.write("!migrate next");
    await first.waitForLine(/loop "spool" started/);
    first.write("!migrate next");
    const queued = await first.waitForLine(/^queued #\d+: crash-remote step 2\/3 "Stop cron jobs"/);
    const job = /#(\d+)/.exec(queued)![1];
    await eventually(() => count(LPNDT) >= 1, { what: "the remote step to start", timeoutMs: 30_000 }).catch(
      (e: Error) => {
        // What the bot said and what sshd ran, to see why the step did not start.
        throw new Error(
          `${e.message}\nsshd ran:\n${sshd.calls().join("\n")}\nbot stdout:\n${first.stdout()}\nbot stderr:\n${first.stderr()}`,
        );
      },
    );
    expect(count(LPNDT)).toBe(1);
    await first.kill9();

    sshd.behave("lpndt", {});
    const second = spawnBot(["--config", cfg]);
    await second.waitForLine(
      new RegExp(`^\\[alert\\] step 2/3 "Stop cron jobs" was interrupted \\(#${job}\\); it is not re-run`),
    );
    second.write("!migrate status");
    await second.waitForLine(/^Current: 2\. INTERRUPTED Stop cron jobs/);
    second.write(`!job done ${job}`);
    await second.waitForLine(
      new RegExp(`^step 2/3 "Stop cron jobs" marked done by hand \\(#${job}\\)\\. Next: step 3/3`),
    );
    second.write("!migrate next");
    await second.waitForLine(/All 3 steps are done: crash-remote run #1 finished/);
    expect(count(LPNDT)).toBe(1);
    second.end();
    expect((await second.exited()).code).toBe(0);
  });
});
