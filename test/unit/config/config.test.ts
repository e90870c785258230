import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { embeddedDefault, loadConfig, parseConfig } from "../../../src/config/load.js";
import { formatDuration, parseDuration } from "../../../src/core/duration.js";
import { ConfigError } from "../../../src/core/errors.js";

const write = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), "cfg-")), "changebot.yaml");
  writeFileSync(f, text);
  return f;
};

describe("configuration", () => {
  it("gives the embedded default's console user every role", () => {
    const c = parseConfig(embeddedDefault({ USER: "alice" }), {});
    expect(c.networks.console?.user).toBe("alice");
    for (const role of ["admin", "lead", "losa", "engineer"])
      expect(c.roles[role]).toEqual(["console:alice"]);
    expect(c.runbooks).toMatch(/runbooks$/);
  });

  it("interpolates ${VAR} from the environment, with defaults and escapes", () => {
    const f = write(
      "networks:\n  slack:\n    botToken: ${TOKEN}\n    appToken: ${APP:-xapp-default}\nname: $${literal}\n",
    );
    const { config } = loadConfig(f, { TOKEN: "xoxb-1" });
    expect(config.networks.slack?.botToken).toBe("xoxb-1");
    expect(config.networks.slack?.appToken).toBe("xapp-default");
    expect(config.name).toBe("${literal}");
  });

  it("names the key path of a missing environment variable", () => {
    const f = write("networks:\n  slack:\n    botToken: ${NOPE_TOKEN}\n");
    expect(() => loadConfig(f, {})).toThrow(
      "config networks.slack.botToken: environment variable NOPE_TOKEN is not set",
    );
  });

  it("names the key path and the expectation of each schema error", () => {
    const f = write(
      "networks:\n  irc:\n    host: irc.example.org\n    port: seventy\n    channels: [launchpad-dev]\nroles:\n  lead: [alice]\nbogus: 1\n",
    );
    let msg = "";
    try {
      loadConfig(f, {});
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      msg = (e as Error).message;
    }
    expect(msg).toContain("config networks.irc.port: ");
    expect(msg).toContain("expected number");
    expect(msg).toContain("config networks.irc.channels[0]: expected a channel name starting with #");
    expect(msg).toContain("config roles.lead[0]: expected console:NAME");
    expect(msg).toContain('config (top level): unknown key(s) "bogus"');
  });

  it("reports YAML syntax errors and missing files in one line", () => {
    expect(() => loadConfig(write("roles: [unclosed\n"), {})).toThrow(/YAML error/);
    expect(() => loadConfig("/nonexistent/changebot.yaml", {})).toThrow(
      "config file /nonexistent/changebot.yaml: not found",
    );
  });

  it("refuses a bare-nick role rule unless explicitly marked insecure", () => {
    const irc = { host: "h", channels: ["#c"] };
    expect(() => parseConfig({ networks: { irc }, roles: { lead: ["irc:nick:alice"] } }, {})).toThrow(
      /matches a bare IRC nick, which anyone can take/,
    );
    expect(() =>
      parseConfig(
        { networks: { irc: { ...irc, allowInsecureNickRules: true } }, roles: { lead: ["irc:nick:alice"] } },
        {},
      ),
    ).not.toThrow();
  });

  it("checks references between sections", () => {
    expect(() => parseConfig({ lpndt: { host: "bastion", services: ["cron-fdt"] } }, {})).toThrow(
      'config lpndt.host: "bastion" is not an entry of hosts',
    );
  });

  it("parses durations in config fields", () => {
    const c = parseConfig({ downtime: { window: "1h30m", leadTimes: { reminder: "4h" } } }, {});
    expect(c.downtime.window).toBe(90 * 60_000);
    expect(c.downtime.leadTimes.reminder).toBe(4 * 3_600_000);
    expect(c.downtime.leadTimes.mergeCutoff).toBe(48 * 3_600_000);
    expect(() => parseConfig({ downtime: { window: "soon" } }, {})).toThrow(/expected a duration like 90m/);
  });
});

describe("the shipped example configuration", () => {
  it("fits the schema, with its secrets from the environment", () => {
    const env = { IRC_PASSWORD: "pw", SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" };
    const { config } = loadConfig(new URL("../../../examples/changebot.yaml", import.meta.url).pathname, env);
    expect(config.networks.irc?.channels).toEqual(["#launchpad-dev"]);
    expect(config.lpndt?.services).toEqual(["cron-fdt", "buildd-manager"]);
    expect(config.roles.losa).toEqual(["irc:mask:*!*@canonical/*"]);
  });
});

describe("durations", () => {
  it("parses and formats", () => {
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("ninety")).toBeUndefined();
    expect(formatDuration(14_280_000)).toBe("3h 58m");
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(-60_000)).toBe("-1m");
    expect(formatDuration(2 * 86_400_000 + 3_600_000)).toBe("2d 1h");
  });
});
