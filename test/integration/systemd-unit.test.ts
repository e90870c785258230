import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../harness/child.js";
import { requireBinary } from "../harness/servers.js";

const UNIT = join(ROOT, "examples/changebot.service");
const dir = mkdtempSync(join(tmpdir(), "changebot-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function analyze(args: string[]) {
  const bin = requireBinary("systemd-analyze", "systemd");
  const r = spawnSync(bin, args, { encoding: "utf8", env: { ...process.env, SYSTEMD_COLORS: "0" } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The unit's directives, last one wins ("SystemCallFilter" may repeat: all are kept). */
function directives(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const hit = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (hit) m.set(hit[1]!, [...(m.get(hit[1]!) ?? []), hit[2]!]);
  }
  return m;
}

describe("examples/changebot.service", () => {
  const text = readFileSync(UNIT, "utf8");

  it("passes systemd-analyze verify", () => {
    // verify checks that ExecStart's program exists: the copy names this machine's node
    // (the shipped unit says /usr/bin/node, Debian's path).
    const d = directives(text);
    expect(d.get("ExecStart")![0]).toMatch(
      /^\/usr\/bin\/node (--[a-z0-9-]+=\d+ )*\/opt\/changebot\/dist\/main\.js run /,
    );
    const copy = join(dir, "changebot.service");
    writeFileSync(copy, text.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
    const r = analyze(["verify", "--man=no", copy]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("is sandboxed: systemd-analyze security rates it at most 3.0, with a StateDirectory", () => {
    const r = analyze(["security", "--offline=yes", UNIT]);
    expect(r.code).toBe(0);
    const level = /Overall exposure level for changebot\.service: (\d+(?:\.\d+)?)/.exec(r.out);
    expect(level, r.out).not.toBeNull();
    expect(Number(level![1])).toBeLessThanOrEqual(3.0);
    const d = directives(text);
    expect(d.get("StateDirectory")).toEqual(["changebot"]);
    // Node's JIT needs writable and executable memory: this setting would stop node at start.
    expect(d.get("MemoryDenyWriteExecute")).toEqual(["no"]);
  });
});
