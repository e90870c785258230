import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allCommands } from "../../../src/commands/index.js";
import { commandKey } from "../../../src/commands/types.js";
import { checkPermissionKeys, configWarnings } from "../../../src/config/checks.js";
import { loadConfig, parseConfig } from "../../../src/config/load.js";
import { parseRunbook } from "../../../src/config/runbook-load.js";
import { validateAll } from "../../../src/config/validate.js";
import { ConfigError } from "../../../src/core/errors.js";

/** The refusals of issue #10, point 5: each names its key path, with "did you mean" where a near name exists. */
const KEYS = allCommands.map(commandKey);
const irc = { host: "irc.example.org", channels: ["#ops"] };

function refusal(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string {
  try {
    const c = parseConfig(raw, env);
    checkPermissionKeys(c, KEYS);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("the config was accepted");
}

describe("config names that refer to nothing", () => {
  it("refuses a permissions key that names no command, suggesting the near one", () => {
    expect(refusal({ permissions: { "migrate strat": ["lead"] } })).toBe(
      'config permissions."migrate strat": no such command; did you mean "migrate start"?',
    );
    expect(refusal({ permissions: { frobnicate: ["lead"] } })).toBe(
      "config permissions.frobnicate: no such command",
    );
    // A family key and a bare command's key are both commands.
    const ok = parseConfig({ permissions: { lpndt: ["losa"], "rc-mode on": ["losa"], help: [] } }, {});
    expect(() => checkPermissionKeys(ok, KEYS)).not.toThrow();
  });

  it("refuses a role that exists nowhere, suggesting the near one", () => {
    expect(refusal({ permissions: { "rc-mode on": ["lead", "leed"] } })).toBe(
      'config permissions."rc-mode on"[1]: no role "leed"; did you mean "lead"? (known: admin, lead, losa, engineer)',
    );
    // A role defined under roles: is known.
    const c = parseConfig(
      { roles: { releaser: ["console:rita"] }, permissions: { "rc-mode on": ["releaser"] } },
      {},
    );
    expect(c.permissions["rc-mode on"]).toEqual(["releaser"]);
  });

  it("refuses an announce target on a network that is not configured, but not a webhook", () => {
    expect(refusal({ announce: ["irc:#x"] })).toBe(
      'config announce[0]: "irc:#x": network "irc" is not configured (no networks.irc); its messages would be dropped',
    );
    expect(refusal({ networks: { irc }, rcMode: { topics: ["slack:C0123"] } })).toMatch(
      /^config rcMode\.topics\[0\]: "slack:C0123": network "slack" is not configured/,
    );
    const c = parseConfig(
      { networks: { irc }, announce: ["irc:#ops", "webhook:https://status.example.org/h"] },
      {},
    );
    expect(c.announce).toHaveLength(2);
  });

  it("checks a runbook announce step's targets the same way", () => {
    const problems: string[] = [];
    const yaml = [
      "id: tell",
      "title: Tell",
      "steps:",
      '  - { id: say, kind: announce, title: Say, text: Hi, targets: ["irc:#x", "webhook:nope"] }',
    ].join("\n");
    parseRunbook("tell.yaml", yaml, parseConfig({}, {}), problems);
    expect(problems).toEqual([
      'tell.yaml steps[0] "Say" targets[0]: "irc:#x": network "irc" is not configured (no networks.irc); its messages would be dropped',
      'tell.yaml steps[0] "Say" targets[1]: "webhook:nope": a webhook needs an http:// or https:// URL',
    ]);
  });

  it("refuses a webhook target that is not an http(s) URL", () => {
    expect(refusal({ announce: ["webhook:not-a-url"] })).toBe(
      'config announce[0]: "webhook:not-a-url": a webhook needs an http:// or https:// URL',
    );
    expect(refusal({ announce: ["webhook:ftp://example.org/x"] })).toMatch(/announce\[0\]: .*http/);
  });

  it("refuses an IRC mask whose only fixed part is the nick, unless insecure rules are allowed", () => {
    expect(refusal({ networks: { irc }, roles: { lead: ["irc:mask:alice!*@*"] } })).toMatch(
      /^config roles\.lead\[0\]: "irc:mask:alice!\*@\*" fixes only the nick, which anyone can take/,
    );
    expect(refusal({ networks: { irc }, roles: { lead: ["irc:mask:alice"] } })).toBe(
      'config roles.lead[0]: "irc:mask:alice": expected irc:mask:nick!user@host',
    );
    const ok = {
      networks: { irc },
      roles: { lead: ["irc:mask:alice!~alice@*", "irc:mask:*!*@canonical/*"] },
    };
    expect(() => parseConfig(ok, {})).not.toThrow();
    const insecure = {
      networks: { irc: { ...irc, allowInsecureNickRules: true } },
      roles: { lead: ["irc:mask:a!*@*"] },
    };
    expect(() => parseConfig(insecure, {})).not.toThrow();
  });

  it("reports every problem at once, and every missing environment variable", () => {
    const msg = refusal({ announce: ["irc:#x", "webhook:nope"], permissions: { help: ["nobody"] } });
    expect(msg.split("\n")).toHaveLength(3);
    const env = refusal({
      networks: { slack: { botToken: "${BOT}", appToken: "${APP}", channels: ["C0123"] } },
      name: "${NAME}",
    });
    expect(env.split("\n")).toEqual([
      "config networks.slack.botToken: environment variable BOT is not set",
      "config networks.slack.appToken: environment variable APP is not set",
      "config name: environment variable NAME is not set",
    ]);
  });
});

describe("changebot validate", () => {
  it("warns about a config with no announcement target, and passes it", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "cfg-")), "changebot.yaml");
    writeFileSync(f, `networks: { console: {} }\nrunbooks: ${mkdtempSync(join(tmpdir(), "rb-"))}\n`);
    const report = await validateAll(loadConfig(f, {}), KEYS);
    expect(report).toMatch(/^config OK/);
    expect(report).toContain("  warning: config announce: no announcement target;");
    expect(
      configWarnings(parseConfig({ announce: ["console:console"], networks: { console: {} } }, {})),
    ).toEqual([]);
  });

  it("refuses a permissions key that names no command", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "cfg-")), "changebot.yaml");
    writeFileSync(f, `permissions:\n  "migrate strat": [lead]\n`);
    await expect(validateAll(loadConfig(f, {}), KEYS)).rejects.toThrow(
      'config permissions."migrate strat": no such command; did you mean "migrate start"?',
    );
  });
});
