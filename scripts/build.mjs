// Compiles src/ to dist/ (tsc -p tsconfig.build.json) and records a hash of the sources
// it was built from in dist/.changebot-src. `npm run build` and `npm pack` call build();
// bin/changebot.js in a clone calls ensureBuilt(), which rebuilds only when the sources
// differ from the last build (content, not mtimes: a checkout touches files unchanged).
// The new dist/ is compiled beside the old one and swapped in, so two starts at once
// never see half a build.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const STAMP = ".changebot-src";

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A hash of everything the compiled output depends on. */
export function sourceHash() {
  const h = createHash("sha256");
  for (const f of [
    ...walk(join(ROOT, "src")),
    join(ROOT, "tsconfig.json"),
    join(ROOT, "tsconfig.build.json"),
  ]) {
    h.update(`${relative(ROOT, f)}\0`);
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

function builtHash() {
  const stamp = join(DIST, STAMP);
  return existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "";
}

export function build() {
  const hash = sourceHash();
  const require = createRequire(import.meta.url);
  let tsc;
  try {
    tsc = require.resolve("typescript/bin/tsc");
  } catch {
    throw new Error("building dist/ needs TypeScript, a development dependency: run npm ci");
  }
  const tmp = join(ROOT, `dist.building-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    // tsc reports errors on stdout; they go to stderr, so the bot's own stdout stays clean.
    execFileSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", tmp], {
      cwd: ROOT,
      stdio: ["ignore", 2, 2],
    });
  } catch {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error("building dist/ from src/ failed (tsc's errors above)");
  }
  writeFileSync(join(tmp, STAMP), `${hash}\n`);
  rmSync(DIST, { recursive: true, force: true });
  try {
    renameSync(tmp, DIST);
  } catch (e) {
    // Another start built the same sources at the same moment: use its build.
    rmSync(tmp, { recursive: true, force: true });
    if (builtHash() !== hash) throw e;
  }
}

/** Builds dist/ when it is missing or was built from other sources. */
export function ensureBuilt() {
  if (builtHash() === sourceHash()) return;
  process.stderr.write("changebot: building dist/ from src/…\n");
  build();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    build();
  } catch (e) {
    process.stderr.write(`changebot: ${e.message}\n`);
    process.exit(1);
  }
}
