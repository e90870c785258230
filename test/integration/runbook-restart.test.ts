import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, spawnBot, writeConfig } from "../harness/child.js";
import { shippedHosts, testConfig } from "../harness/config.js";
import { describe, expect, type RedisServer, test } from "../harness/fixtures.js";

describe("runbook runs across a kill -9 of the bot", () => {
  const config = (redis: RedisServer, prefix: string, extra: Record<string, unknown> = {}) =>
    writeConfig(
      testConfig({
        redis: redis.url,
        prefix,
        user: "alice",
        runbooks: join(ROOT, "test/fixtures/runbooks-crash"),
        ...extra,
      }),
    );

  test("keeps a wait's due time through a kill -9 and moves on when it is due", {
    timeout: 60_000,
  }, async ({ redis, prefix }) => {
    const cfg = config(redis, prefix);
    const first = spawnBot(["--config", cfg]);
    first.write("!migrate start crash");
    await first.waitForLine(/^crash run #1 started by alice/);
    first.write("!migrate next");
    const waiting = await first.waitForLine(/^#1 done .*: step 1\/2 "Pause": waiting 3s, until /);
    const due = /until (\d\d:\d\d:\d\d) UTC/.exec(waiting)![1];
    await first.kill9();
    expect(first.stdout()).not.toMatch(/wait over/);

    const second = spawnBot(["--config", cfg]);
    const over = await second.waitForLine(/^step 1\/2 "Pause" wait over\. Next: step 2\/2/);
    expect(over).toContain("!migrate next");
    second.write("!migrate log");
    await second.waitForLine(/^ 2\. PENDING Look around/);
    const log = second.stdout();
    expect(log).toMatch(/step 1 waiting 3s/);
    // The log shows how long the step took: never less than its 3 s wait, however
    // long the restart took (a loaded machine makes it longer, so no upper bound).
    const took = / 1\. DONE Pause \(wait\) by alice at .*, took (?:(\d+)m ?)?(?:(\d+)s)? jobs #1\n/.exec(log);
    expect(took, log).not.toBeNull();
    expect(Number(took![1] ?? 0) * 60 + Number(took![2] ?? 0)).toBeGreaterThanOrEqual(3);
    expect(log.match(/^step 1\/2 "Pause" wait over/gm)).toHaveLength(1);
    expect(due).toMatch(/^\d\d:\d\d:\d\d$/);
    second.end();
    expect((await second.exited()).code).toBe(0);
  });

  test("validates every shipped runbook from the command line when the config has their hosts", async ({
    redis,
    prefix,
  }) => {
    const key = join(mkdtempSync(join(tmpdir(), "rb-key-")), "id_ed25519");
    writeFileSync(key, "a key file (validate only checks it can be read)\n");
    const hostKey = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    const cfg = config(redis, prefix, {
      runbooks: join(ROOT, "runbooks"),
      hosts: shippedHosts({ host: "127.0.0.1", user: "ops", key, hostKey }),
      // An announcement target, so the report has nothing to warn about.
      announce: ["console:console"],
    });
    const bot = spawnBot(["validate", "--config", cfg]);
    const { code } = await bot.exited();
    expect(bot.stderr()).toBe("");
    expect(code).toBe(0);
    expect(bot.stdout()).toMatch(
      /^ {2}runbooks: 5 in .*runbooks: copr-instance-upgrade \(25 steps\), hkn-rails-migrate-to-prod \(21 steps\), launchpad-db-deployment \(17 steps\), librarian-migration \(23 steps\), ofn-server-move \(44 steps\)$/m,
    );
    expect(bot.stdout()).not.toContain("warning");
  });

  test("refuses to start with a runbook that does not validate, naming file, step and key", async ({
    redis,
    prefix,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), "rb-bad-"));
    writeFileSync(join(dir, "bad.yaml"), "id: bad\ntitle: Bad\nsteps:\n  - { kind: telnet, title: Poke }\n");
    const cfg = config(redis, prefix, { runbooks: dir });
    for (const args of [
      ["validate", "--config", cfg],
      ["--config", cfg],
    ]) {
      const bot = spawnBot(args);
      bot.end();
      const { code } = await bot.exited();
      expect(code).toBe(2);
      expect(bot.stderr()).toMatch(
        /^changebot: .*bad\.yaml steps\[0\] "Poke" kind: unknown step kind "telnet"/,
      );
    }
  });
});
