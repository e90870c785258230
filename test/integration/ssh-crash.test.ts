import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { startChildBot } from "../harness/child-bot.js";
import { testConfig } from "../harness/config.js";
import { eventually } from "../harness/eventually.js";
import { afterAll, beforeAll, describe, expect, type RedisServer, test } from "../harness/fixtures.js";
import type { Sshd } from "../harness/sshd.js";

// Two child bots start one after the other: on a loaded machine that alone can take half a minute.
describe("kill -9 of the bot during a remote step", { timeout: 90_000 }, () => {
  let sshd: Sshd;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "changebot-crash-"));
  });
  test.beforeAll(({ sshd: s }) => {
    sshd = s;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(
    { redis, prefix }: { redis: RedisServer; prefix: string },
    lpndt: Record<string, unknown> = {},
  ): string {
    const file = join(dir, `changebot-${randomBytes(3).toString("hex")}.yaml`);
    writeFileSync(
      file,
      stringify(
        testConfig({
          redis: redis.url,
          prefix,
          channel: "console",
          roles: { engineer: ["tester"] },
          dataDir: dir,
          hosts: { bastion: sshd.hostEntry() },
          lpndt: { host: "bastion", services: ["cron-fdt", "buildd-manager"], ...lpndt },
          // Long enough that a loaded machine's late lock renewal is not taken for a dead worker
          // (an idempotent step would then run again), short enough that a restart picks the job up soon.
          jobs: { lockMs: 3000, stalledCheckMs: 1000 },
        }),
      ),
    );
    return file;
  }

  test("reports the step interrupted after restart and does not run it again", async ({ redis, prefix }) => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["stopping cron-fdt"], delay: 20 });
    const config = writeConfig({ redis, prefix });
    const first = startChildBot(config);
    first.send("!lpndt service-stop cron-fdt");
    await first.waitForOutput(/queued #1: lpndt service-stop cron-fdt on bastion/);
    await eventually(() => sshd.calls().length > 0, "the remote command to start");
    expect(sshd.calls()).toEqual(["lpndt [service-stop] [cron-fdt]"]);
    await first.kill9();

    const second = startChildBot(config);
    try {
      const out = await second.waitForOutput(/#1 interrupted/);
      expect(out).toContain(
        "[alert] #1 interrupted: state unknown (the bot stopped while it ran) — check, then `!job retry 1` or `!job done 1`",
      );
      second.send("!job 1");
      await second.waitForOutput(/#1 interrupted: lpndt service-stop cron-fdt/);
      expect(sshd.calls()).toEqual(["lpndt [service-stop] [cron-fdt]"]);
      second.send("!job done 1");
      await second.waitForOutput(/#1 marked done by tester \(was interrupted\)/);
    } finally {
      expect(await second.end()).toBe(0);
    }
    expect(sshd.calls()).toEqual(["lpndt [service-stop] [cron-fdt]"]);
  });

  test("re-runs the step automatically when the config marks lpndt idempotent", async ({ redis, prefix }) => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["stopping"], delay: 20 });
    const config = writeConfig({ redis, prefix }, { idempotent: true });
    const first = startChildBot(config);
    first.send("!lpndt service-stop cron-fdt");
    await eventually(() => sshd.calls().length > 0, "the remote command to start");
    expect(sshd.calls()).toHaveLength(1);
    await first.kill9();
    sshd.behave("lpndt", { output: ["stopped"] });
    const second = startChildBot(config);
    try {
      await second.waitForOutput(/#1 done .*exit 0/);
      expect(second.stdout()).not.toContain("interrupted");
      expect(sshd.calls()).toEqual(["lpndt [service-stop] [cron-fdt]", "lpndt [service-stop] [cron-fdt]"]);
    } finally {
      await second.end();
    }
  });
});
