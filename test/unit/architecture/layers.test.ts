import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The layer rule of docs/architecture.md, as `npm run depcheck` (and .ci/run)
 * checks it: imports in src/ point only down, and there are no cycles.
 */
const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../..");
const depcruise = join(root, "node_modules/.bin/depcruise");
const temps: string[] = [];

async function cruise(cwd: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run(depcruise, ["src", "--config", ".dependency-cruiser.cjs", "--output-type", "err"], {
      cwd,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

/** A copy of src/ and the rules, so a test can add a bad import without touching the tree. */
function copyOfTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "changebot-layers-"));
  temps.push(dir);
  cpSync(join(root, "src"), join(dir, "src"), { recursive: true });
  for (const f of [".dependency-cruiser.cjs", "tsconfig.json"]) cpSync(join(root, f), join(dir, f));
  return dir;
}

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe("the layer rule", () => {
  it("holds for the tree as it is", async () => {
    const r = await cruise(root);
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.code).toBe(0);
  }, 60_000);

  it("fails on an upward import, naming the file and the rule", async () => {
    const dir = copyOfTree();
    // The infrastructure reaching up into a chat adapter.
    writeFileSync(
      join(dir, "src/infra/upward.ts"),
      'import { Router } from "../bot/router.js";\nexport const r = Router;\n',
    );
    const r = await cruise(dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/infra-imports-upward: src\/infra\/upward\.ts → src\/bot\/router\.ts/);
  }, 60_000);

  it("fails on a cycle made only of type imports", async () => {
    const dir = copyOfTree();
    writeFileSync(join(dir, "src/core/a.ts"), 'import type { B } from "./b.js";\nexport type A = B[];\n');
    writeFileSync(join(dir, "src/core/b.ts"), 'import type { A } from "./a.js";\nexport type B = A | 1;\n');
    const r = await cruise(dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/no-circular: src\/core\/a\.ts →/);
  }, 60_000);
});
