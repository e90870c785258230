import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { embeddedDefault, loadConfig, PACKAGE_ROOT, parseConfig } from "../../../src/config/load.js";

const write = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), "cfg-")), "changebot.yaml");
  writeFileSync(f, text);
  return f;
};

describe("where the runbooks are", () => {
  const cfg = "networks:\n  console: {}\n";

  it("a config that does not say uses CHANGEBOT_RUNBOOKS, else ./runbooks beside the config", () => {
    const f = write(cfg);
    expect(loadConfig(f, { CHANGEBOT_RUNBOOKS: "/app/runbooks" }).config.runbooks).toBe("/app/runbooks");
    expect(loadConfig(f, {}).config.runbooks).toBe(join(dirname(f), "runbooks"));
  });

  it("a config's own runbooks: wins over CHANGEBOT_RUNBOOKS", () => {
    const f = write(`${cfg}runbooks: ./mine\n`);
    expect(loadConfig(f, { CHANGEBOT_RUNBOOKS: "/app/runbooks" }).config.runbooks).toBe(
      join(dirname(f), "mine"),
    );
  });

  it("the embedded default uses CHANGEBOT_RUNBOOKS too, else the shipped runbooks/", () => {
    const env = { USER: "alice", CHANGEBOT_RUNBOOKS: "/srv/runbooks" };
    expect(parseConfig(embeddedDefault(env), env).runbooks).toBe("/srv/runbooks");
    expect(parseConfig(embeddedDefault({ USER: "alice" }), {}).runbooks).toBe(join(PACKAGE_ROOT, "runbooks"));
  });
});

describe("the container image", () => {
  const dockerfile = readFileSync(join(PACKAGE_ROOT, "Dockerfile"), "utf8");
  const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

  it("points CHANGEBOT_RUNBOOKS at the runbooks it copies in", () => {
    const workdir = /^WORKDIR (\S+)$/m.exec(final)![1];
    const dest = /^COPY runbooks (\S+)$/m.exec(final)![1]!;
    const env = /^ENV CHANGEBOT_RUNBOOKS=(\S+)$/m.exec(final)![1];
    expect(env).toBe(join(workdir!, dest));
  });

  it("starts under an init, has a health check, and leaves local state out of the build context", () => {
    // node with the memory flags bin/changebot.js uses, then the compiled bot.
    expect(final).toMatch(
      /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "--max-semi-space-size=1", "--v8-pool-size=2", "--initial-old-space-size=8", "dist\/main\.js"\]$/m,
    );
    expect(final).toMatch(/apt-get install [^\n]*\btini\b/);
    // The health check asks the bot's own /readyz on the port the image sets (issue #12).
    expect(final).toMatch(
      /^HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:'\+\(process\.env\.CHANGEBOT_WEB_PORT\|\|8080\)\+'\/readyz'\)[^\n]*\]$/m,
    );
    expect(final).toMatch(/^ENV CHANGEBOT_WEB_PORT=8080$/m);
    const ignored = readFileSync(join(PACKAGE_ROOT, ".dockerignore"), "utf8").split("\n");
    for (const p of ["node_modules", "data", "dist", ".git", "coverage", ".env"])
      expect(ignored).toContain(p);
  });
});
