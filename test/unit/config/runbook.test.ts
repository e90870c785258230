import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { loadRunbooks, parseRunbook, validateRunbooks } from "../../../src/config/runbook-load.js";
import { bindStep, resolveParams } from "../../../src/config/runbook-params.js";
import { ConfigError } from "../../../src/core/errors.js";
import { SHIPPED_RUNBOOKS, shippedHosts } from "../../harness/config.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/** Every host the shipped runbooks expect, so they load. */
const config = (extra: Record<string, unknown> = {}) =>
  parseConfig({
    hosts: shippedHosts({ host: "127.0.0.1", user: "u" }),
    runbooks: SHIPPED_RUNBOOKS,
    ...extra,
  });

function problems(yaml: string): string[] {
  const out: string[] = [];
  parseRunbook("bad.yaml", yaml, config(), out);
  return out;
}

const head = "id: bad\ntitle: Bad\n";

describe("runbook validation", () => {
  it("passes every shipped runbook", async () => {
    const { runbooks, warnings } = loadRunbooks(config());
    expect([...runbooks.keys()].sort()).toEqual([
      "copr-instance-upgrade",
      "hkn-rails-migrate-to-prod",
      "launchpad-db-deployment",
      "librarian-migration",
      "ofn-server-move",
    ]);
    expect(warnings).toEqual([]);
    expect(await validateRunbooks({ config: config() })).toMatch(
      /runbooks: 5 in .*librarian-migration \(\d+ steps\)/,
    );
  });

  it("rejects an unknown step kind, naming file, step and key", () => {
    expect(problems(`${head}steps:\n  - { kind: telnet, title: Poke it }\n`)).toEqual([
      'bad.yaml steps[0] "Poke it" kind: unknown step kind "telnet" (expected one of ssh, local, manual, wait, loop, stop-loop, check, topic, announce, downtime-start, downtime-end, lpndt, rc-mode)',
    ]);
  });

  it("rejects a manual step without a role, and an unknown role", () => {
    expect(problems(`${head}steps:\n  - { kind: manual, title: Switch, instructions: do it }\n`)).toEqual([
      'bad.yaml steps[0] "Switch" role: missing; a manual step must name the role that acknowledges it',
    ]);
    expect(
      problems(`${head}steps:\n  - { kind: manual, title: Switch, instructions: do it, role: dba }\n`),
    ).toEqual(['bad.yaml steps[0] "Switch" role: unknown role "dba" (known: admin, lead, losa, engineer)']);
  });

  it("rejects an undo on an irreversible step", () => {
    const y = `${head}steps:\n  - kind: ssh\n    title: Drop db\n    host: ofn-new\n    irreversible: true\n    argv: [dropdb, x]\n    undo: { kind: ssh, host: ofn-new, argv: [createdb, x] }\n`;
    expect(problems(y)).toEqual([
      'bad.yaml steps[0] "Drop db" undo: an irreversible step cannot have an undo; remove one of them',
    ]);
  });

  it("rejects a loop that no stop-loop ends", () => {
    const y = `${head}steps:\n  - { kind: loop, loop: rsync, title: Copy, every: 1m, argv: [rsync, a, b] }\n`;
    expect(problems(y)).toEqual([
      'bad.yaml steps[0] "Copy" loop: the loop "rsync" is never stopped; add a later stop-loop step with loop: rsync',
    ]);
  });

  it("rejects a parameter used but not declared", () => {
    const y = `${head}parameters:\n  unit: {}\nsteps:\n  - { kind: ssh, title: Stop, host: bastion, argv: [lpndt, service-stop, "\${service}"] }\n`;
    expect(problems(y)).toEqual([
      'bad.yaml steps[0] "Stop" argv[2]: uses ${service}, which is not declared under parameters',
    ]);
  });

  it("rejects a default its own checks refuse, a distinct: name not declared, min/max off an integer", () => {
    const y = `${head}parameters:\n  src: { default: "-essh:/" }\n  port: { type: integer, min: 1, default: -1 }\ndistinct: [[src, dst]]\nsteps:\n  - { kind: wait, title: Pause, duration: 1m }\n`;
    expect(problems(y)).toEqual([
      'bad.yaml parameters.src.default: src must not start with "-" (a command would read "-essh:/" as an option)',
      "bad.yaml parameters.port.default: port must be at least 1, not -1",
      'bad.yaml distinct[0]: "dst" is not declared under parameters',
    ]);
    expect(
      problems(`${head}parameters:\n  n: { max: 3 }\nsteps:\n  - { kind: wait, title: P, duration: 1m }\n`),
    ).toEqual(["bad.yaml parameters.n.max: only an integer parameter takes max"]);
  });

  it("names the key of a schema problem in a step", () => {
    expect(problems(`${head}steps:\n  - { kind: wait, title: Pause, duration: soon }\n`)).toEqual([
      'bad.yaml steps[0] "Pause".duration: expected a duration like 90m, 1h30m or 45s, got "soon"',
    ]);
  });

  it("makes `validate` fail with every problem, and warns about hosts the config lacks", () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-"));
    writeFileSync(join(dir, "a.yaml"), `${head}steps:\n  - { kind: telnet, title: X }\n`);
    expect(() => loadRunbooks(config({ runbooks: dir }))).toThrow(ConfigError);
    expect(() => loadRunbooks(config({ runbooks: dir }))).toThrow(
      /a\.yaml steps\[0\] "X" kind: unknown step kind/,
    );
    const { warnings } = loadRunbooks(parseConfig({ runbooks: join(ROOT, "runbooks") }));
    expect(warnings.join("\n")).toMatch(
      /runbook librarian-migration \(.*librarian-migration\.yaml\) refers to host\(s\) librarian-new, bastion, juju that the config's hosts: lacks/,
    );
  });

  it("checks parameters before a run starts, and keeps each argv word one word", () => {
    const rb = loadRunbooks(config()).runbooks.get("librarian-migration")!;
    expect(() => resolveParams(rb, { old_app: "x", bogus: "1" })).toThrow(
      /bogus is not a parameter of librarian-migration; old_spool is missing/,
    );
    expect(() =>
      resolveParams(rb, {
        old_app: "old",
        old_spool: "host:/srv/ ; rm -rf /",
        new_address: "127.0.0.1",
        old_file: "a.dsc",
        frontend_url: "http://x/",
      }),
    ).toThrow(/old_spool "host:\/srv\/ ; rm -rf \/" does not match/);
    const params = resolveParams(rb, {
      old_app: "old-app",
      old_spool: "old.internal:/srv/launchpad/librarian/",
      new_address: "127.0.0.1",
      old_file: "a.dsc",
      frontend_url: "http://x/",
    });
    const rsync = bindStep(rb.steps.find((s) => s.kind === "loop")!, params);
    expect(rsync.kind === "loop" && rsync.argv).toEqual([
      "rsync",
      "-a",
      "--",
      "old.internal:/srv/launchpad/librarian/",
      "/srv/launchpad/librarian/",
    ]);
    expect(params.download_port).toBe("8000");
  });
});
