import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/infra/redis.js";
import { ROOT, spawnBot } from "../harness/child.js";
import { test } from "../harness/fixtures.js";
import { requireBinary } from "../harness/servers.js";

/** Runs the bot as a user would and returns what it printed and how it exited. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  const bot = spawnBot(args, env);
  if (input !== undefined) bot.proc.stdin!.end(input);
  const { code } = await bot.exited();
  return { code, stdout: bot.stdout(), stderr: bot.stderr() };
}

describe("the command line", () => {
  it("runs the README's scripting example on the embedded default", { timeout: 60_000 }, async () => {
    requireBinary("redis-server", "redis-server");
    const data = mkdtempSync(join(tmpdir(), "changebot-data-"));
    const script = "!help\n!whoami\n!rc-mode on testing\n!topic\n!rc-mode off\n!topic\n!rcmode on\n";
    const r = await run([], { CHANGEBOT_DATA: data, USER: "alice" }, script);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout.split("\n");
    expect(out[0]).toBe("Commands you may run (!help <command> for an example):");
    expect(out).toContain("!rc-mode on [reason] — put PQM in RC mode: topic segment, announcement");
    expect(out).toContain("You are console:alice (alice); roles: admin, lead, losa, engineer.");
    const topics = out.filter((l) => l.startsWith("Topic:") || l.startsWith("The topic is"));
    expect(topics).toEqual(["Topic: [1] PQM in RC mode (kept by the bot: rc-mode)", "The topic is empty."]);
    expect(out).toContain("[topic] console: PQM in RC mode");
    expect(out.some((l) => l.startsWith("[announce] PQM is in RC mode (alice: testing)"))).toBe(true);
    expect(out.at(-2)).toBe("Unknown command !rcmode. Did you mean !rc-mode? Try !help.");

    // State lives in the private Redis's append-only file: a second run sees it.
    const again = await run([], { CHANGEBOT_DATA: data, USER: "alice" }, "!jobs\n");
    expect(again.stdout).toMatch(/^#2 done: rc-mode off — alice/m);
  });

  it("says in one line that a malformed config is malformed, and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "changebot-cfg-"));
    const cfg = join(dir, "bad.yaml");
    writeFileSync(cfg, "networks:\n  irc:\n    port: 70000\n");
    const r = await run(["--config", cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("changebot: config networks.irc.host: missing (expected string)");
    expect(r.stderr).toContain("config networks.irc.port: Too big: expected number to be <=65535");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the Debian package when redis-server is missing", async () => {
    const r = await run([], { PATH: "/nonexistent", CHANGEBOT_DATA: mkdtempSync(join(tmpdir(), "d-")) }, "");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "changebot: redis-server is not installed: install Debian's package (apt-get install redis-server), or set REDIS_URL (or redis: in the config) to a Redis you run",
    );
  });

  it("says in one line when REDIS_URL cannot be reached", async () => {
    const port = await freePort();
    const r = await run([], { REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` }, "");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(`^changebot: cannot reach Redis at redis://:\\*\\*\\*@127.0.0.1:${port}: .*ECONNREFUSED`),
    );
    expect(r.stderr).not.toContain("hunter2");
  });

  it("validates a config without starting anything", async () => {
    const r = await run(["validate"], { USER: "alice" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^config OK: the embedded default/);
  });
});

describe("flags and verbs", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const usage = (text: string) => text.slice(text.indexOf("usage:"));

  it("--version prints the version in one line and exits 0", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, stdout: `changebot ${pkg.version}\n`, stderr: "" });
    }
  });

  it("--help prints the usage and exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage:\n {2}changebot \[run\]/);
    expect(r.stdout).toContain("changebot --help | --version");
    expect(r.stderr).toBe("");
  });

  it("an unknown flag or verb, or a flag without its value, is one line and the usage; exit 2", {
    timeout: 90_000,
  }, async () => {
    const help = (await run(["--help"])).stdout;
    const cases: [string[], string][] = [
      [["--nonsense"], "changebot: unknown option --nonsense"],
      [["-x", "validate"], "changebot: unknown option -x"],
      [["frobnicate"], 'changebot: unknown command "frobnicate"'],
      [["validate", "extra"], 'changebot: unexpected argument "extra"'],
      [["validate", "--config"], "changebot: option --config needs a value"],
    ];
    for (const [args, line] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toBe(line);
      expect(usage(r.stderr)).toBe(help);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  test("health exits 0 when the bot's Redis answers and 1, in one line, when it does not", {
    timeout: 60_000,
  }, async ({ redis }) => {
    const ok = await run(["health"], { REDIS_URL: redis.url });
    expect(ok).toEqual({ code: 0, stdout: `ok: Redis at ${redis.url} answers\n`, stderr: "" });
    const port = await freePort();
    const down = await run(["health"], { REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      new RegExp(`^changebot: cannot reach Redis at redis://127.0.0.1:${port}: .*\n$`),
    );
    const none = await run(["health"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^changebot: changebot health checks the bot's Redis: set redis: .*\n$/);
  });
});

describe("shutdown", () => {
  it("stops cleanly on SIGTERM, taking its private Redis with it", { timeout: 60_000 }, async () => {
    const data = mkdtempSync(join(tmpdir(), "changebot-data-"));
    const bot = spawnBot([], { CHANGEBOT_DATA: data, USER: "alice" });
    bot.write("!whoami");
    await bot.waitForLine(/^You are console:alice/);
    const { execFileSync } = await import("node:child_process");
    const children = execFileSync("pgrep", ["-P", String(bot.proc.pid), "redis-server"], {
      encoding: "utf8",
    }).trim();
    expect(children).toMatch(/^\d+$/);
    const alive = (pid: string) => {
      try {
        process.kill(Number(pid), 0);
        return true;
      } catch {
        return false;
      }
    };
    bot.proc.kill("SIGTERM");
    expect(await bot.exited()).toEqual({ code: 0, signal: null });
    expect(alive(children)).toBe(false);
  });
});
