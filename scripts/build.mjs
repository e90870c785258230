// Compiles src/ to dist/ (tsc -p tsconfig.build.json) and records a hash of the sources
// it was built from in dist/.changebot-src. `npm run build` and `npm pack` call build();
// bin/changebot.js in a clone first compares the sources' paths, sizes and mtimes with
// those of the last build (src-files.mjs, no file read); only when they differ does it
// call ensureBuilt(), which rebuilds when the content differs (a checkout touches files
// unchanged: then only the recorded mtimes are renewed).
// The new dist/ is compiled beside the old one and swapped in, so two starts at once
// never see half a build.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, ROOT, readStamp, STAMP, sourceFiles, sourceSignature } from "./src-files.mjs";

/** A hash of everything the compiled output depends on. */
export function sourceHash(files = sourceFiles()) {
  const h = createHash("sha256");
  for (const f of files) {
    h.update(`${relative(ROOT, f)}\0`);
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

function builtHash() {
  return readStamp()[0];
}

/** The stamp: the sources' hash, then their signature (written beside, then renamed over). */
function writeStamp(dir, hash, sig) {
  const tmp = join(dir, `${STAMP}.${process.pid}`);
  writeFileSync(tmp, `${hash}\n${sig}\n`);
  renameSync(tmp, join(dir, STAMP));
}

export function build() {
  const files = sourceFiles();
  const sig = sourceSignature(files);
  const hash = sourceHash(files);
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
  writeStamp(tmp, hash, sig);
  rmSync(DIST, { recursive: true, force: true });
  try {
    renameSync(tmp, DIST);
  } catch (e) {
    // Another start built the same sources at the same moment: use its build.
    rmSync(tmp, { recursive: true, force: true });
    if (builtHash() !== hash) throw e;
  }
}

/**
 * Builds dist/ when it is missing or was built from other sources. Sources whose
 * content is unchanged but whose mtimes moved (a checkout) only get a new signature.
 */
export function ensureBuilt() {
  const files = sourceFiles();
  const sig = sourceSignature(files);
  const [built, builtSig] = readStamp();
  if (built && builtSig === sig) return;
  if (built && built === sourceHash(files)) {
    try {
      if (existsSync(DIST)) writeStamp(DIST, built, sig);
    } catch {} // a read-only dist/: the next start compares the content again
    return;
  }
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
