import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnBot } from "../harness/child.js";

/** `changebot validate` and start, as a user runs them, on configs with names that refer to nothing. */
const dir = mkdtempSync(join(tmpdir(), "changebot-validate-"));
const runbooks = mkdtempSync(join(tmpdir(), "changebot-validate-rb-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(runbooks, { recursive: true, force: true });
});

async function run(args: string[], yaml: string) {
  const file = join(dir, "bad.yaml");
  writeFileSync(file, `runbooks: ${runbooks}\n${yaml}`);
  const bot = spawnBot([...args, "--config", file], { CHANGEBOT_DATA: dir });
  const { code } = await bot.exited();
  return { code, stdout: bot.stdout(), stderr: bot.stderr() };
}

describe("changebot validate on a config with bad names", () => {
  it("names the key path of each problem, with did you mean, and exits non-zero", async () => {
    const r = await run(
      ["validate"],
      [
        "networks:",
        "  console: {}",
        "  irc: { host: 127.0.0.1, tls: false, channels: ['#ops'] }",
        "roles:",
        '  lead: ["irc:mask:alice!*@*"]',
        "permissions:",
        '  "rc-mode on": [leed]',
        'announce: ["slack:C0123", "webhook:not-a-url"]',
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr
      .trim()
      .replace(/^changebot: /, "")
      .split("\n");
    expect(lines).toEqual([
      'config announce[0]: "slack:C0123": network "slack" is not configured (no networks.slack); its messages would be dropped',
      'config announce[1]: "webhook:not-a-url": a webhook needs an http:// or https:// URL',
      expect.stringMatching(
        /^config roles\.lead\[0\]: "irc:mask:alice!\*@\*" fixes only the nick, which anyone can take/,
      ),
      'config permissions."rc-mode on"[0]: no role "leed"; did you mean "lead"? (known: admin, lead, losa, engineer)',
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a permissions key that names no command, at validate and at start", {
    timeout: 60_000,
  }, async () => {
    const yaml = 'networks: { console: {} }\npermissions:\n  "migrate strat": [lead]\n';
    for (const args of [["validate"], []]) {
      const r = await run(args, yaml);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim()).toBe(
        'changebot: config permissions."migrate strat": no such command; did you mean "migrate start"?',
      );
    }
  });

  it("reports every missing environment variable", async () => {
    const r = await run(
      ["validate"],
      "networks:\n  slack: { botToken: '${CB_TEST_UNSET_BOT}', appToken: '${CB_TEST_UNSET_APP}' }\n",
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      "changebot: config networks.slack.botToken: environment variable CB_TEST_UNSET_BOT is not set",
      "config networks.slack.appToken: environment variable CB_TEST_UNSET_APP is not set",
    ]);
  });

  it("warns about a config with no announcement target, and passes it", async () => {
    const r = await run(["validate"], "networks: { console: {} }\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "  warning: config announce: no announcement target; each announcement goes to the channel of the command, run or downtime it belongs to",
    );
  });
});
