import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { build, stop } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Every module under src/ loads on its own, first, in a fresh process: no
 * module depends on another having been loaded before it (the way an import
 * cycle once made src/config/validate.ts throw when imported first). The
 * sources are transpiled file by file (no bundling), as Node would run them.
 * src/main.ts is the entry point: loading it runs the command line, so it is
 * loaded first in its own process with `--help`, which starts nothing.
 */
const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../..");
const cache = join(root, "node_modules/.cache");
let out: string;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

const modules = sources(join(root, "src"))
  .map((f) => relative(join(root, "src"), f))
  .sort();

beforeAll(async () => {
  mkdirSync(cache, { recursive: true });
  // Inside the tree, so the compiled files find node_modules as src/ does.
  out = mkdtempSync(join(cache, "import-each-"));
  await build({
    entryPoints: modules.map((m) => join(root, "src", m)),
    outdir: out,
    outbase: join(root, "src"),
    bundle: false,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  // esbuild answers from a service process of its own: end it, so the run leaves nothing behind.
  await stop();
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

async function loadAlone(m: string): Promise<string | undefined> {
  const file = join(out, m.replace(/\.ts$/, ".js"));
  // The entry point runs its command line on load: ask it for its usage only.
  const args =
    m === "main.ts"
      ? [file, "--help"]
      : ["--input-type=module", "-e", "await import(process.argv[1]); process.exit(0);", file];
  try {
    await run(process.execPath, args, { timeout: 60_000 });
    return undefined;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return `${m}: ${(err.stderr || err.message).trim().split("\n").slice(0, 6).join("\n")}`;
  }
}

describe("each module of src/", () => {
  it(`loads on its own in a fresh process (${modules.length} modules)`, async () => {
    expect(modules.length).toBeGreaterThan(50);
    const failures: string[] = [];
    const queue = [...modules];
    // Two at a time: the machine has two cores.
    await Promise.all(
      [0, 1].map(async () => {
        for (let m = queue.shift(); m; m = queue.shift()) {
          const f = await loadAlone(m);
          if (f) failures.push(f);
        }
      }),
    );
    expect(failures).toEqual([]);
  }, 300_000);
});
