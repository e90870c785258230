import { join } from "node:path";
import { ROOT, spawnBot, writeConfig } from "../harness/child.js";
import { testConfig } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";
import type { Sshd } from "../harness/sshd.js";

describe("!migrate run across kill -9 of the bot, against sshd", () => {
  let sshd: Sshd;
  test.beforeAll(({ runbookSshd }) => {
    sshd = runbookSshd;
  });
  const count = (line: string) => sshd.calls().filter((c) => c === line).length;

  test("keeps run mode after the restart, reports the step cut short as interrupted, and runs no step twice", {
    timeout: 90_000,
  }, async ({ redis, prefix }) => {
    sshd.clearCalls();
    sshd.behave("lpndt", { delay: 30 }); // the kill lands inside the first step
    const cfg = writeConfig(
      testConfig({
        redis: redis.url,
        prefix,
        user: "alice",
        hosts: { box: sshd.hostEntry() },
        jobs: { lockMs: 1000, stalledCheckMs: 500 },
        runbooks: join(ROOT, "test/fixtures/runbooks-run"),
      }),
    );
    const first = spawnBot(["--config", cfg]);
    first.write("!migrate start crash-run");
    first.write("!migrate run");
    const queued = await first.waitForLine(/^queued #\d+: crash-run step 1\/3 "First"/);
    const job = /#(\d+)/.exec(queued)![1];
    await first.waitForLine(/Run mode on \(alice\)/);
    await eventually(() => count("lpndt [one]") === 1, {
      what: "the first step to start",
      timeoutMs: 30_000,
    });
    await first.kill9();

    sshd.behave("lpndt", {});
    const second = spawnBot(["--config", cfg]);
    await second.waitForLine(
      new RegExp(`^\\[alert\\] step 1/3 "First" was interrupted \\(#${job}\\); it is not re-run`),
    );
    // Nobody types next or run again: resolving the interrupted step is a clean boundary, and run mode goes on from it.
    second.write(`!job done ${job}`);
    await second.waitForLine(
      new RegExp(`^step 1/3 "First" marked done by hand \\(#${job}\\)\\. Running step 2/3`),
    );
    await second.waitForLine(/All 3 steps are done: crash-run run #1 finished/);
    expect(count("lpndt [one]")).toBe(1);
    expect(count("rsync [two]")).toBe(1);
    expect(count("sync [three]")).toBe(1);
    second.end();
    expect((await second.exited()).code).toBe(0);
  });
});
