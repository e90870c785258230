import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startChildBot } from "../harness/child-bot.js";
import { startRedis } from "../harness/servers.js";
import { type Sshd, startSshd } from "../harness/sshd.js";

describe("kill -9 of the bot during a remote step", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let sshd: Sshd;
  let dir: string;
  beforeAll(async () => {
    [redis, sshd] = await Promise.all([startRedis(), startSshd()]);
    dir = mkdtempSync(join(tmpdir(), "changebot-crash-"));
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), sshd?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(lpndt: Record<string, unknown> = {}): string {
    const file = join(dir, `changebot-${randomBytes(3).toString("hex")}.yaml`);
    writeFileSync(
      file,
      stringify({
        redis: redis.url,
        keyPrefix: `crash${randomBytes(3).toString("hex")}`,
        dataDir: dir,
        networks: { console: { user: "tester", channel: "console" } },
        roles: { engineer: ["console:tester"] },
        hosts: { bastion: sshd.hostEntry() },
        lpndt: { host: "bastion", services: ["cron-fdt", "buildd-manager"], ...lpndt },
        jobs: { lockMs: 1000, stalledCheckMs: 500 },
      }),
    );
    return file;
  }

  it("reports the step interrupted after restart and does not run it again", async () => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["stopping cron-fdt"], delay: 20 });
    const config = writeConfig();
    const first = startChildBot(config);
    first.send("!lpndt service-stop cron-fdt");
    await first.waitForOutput(/queued #1: lpndt service-stop cron-fdt on bastion/);
    for (let i = 0; i < 200 && sshd.calls().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
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

  it("re-runs the step automatically when the config marks lpndt idempotent", async () => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["stopping"], delay: 20 });
    const config = writeConfig({ idempotent: true });
    const first = startChildBot(config);
    first.send("!lpndt service-stop cron-fdt");
    for (let i = 0; i < 200 && sshd.calls().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
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
