// What dist/ is compiled from, and a cheap signature of it (each file's path, size and
// mtime) that bin/changebot.js compares at every start without reading the files. Only
// when the signature differs does it load build.mjs to compare their content hash.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DIST = join(ROOT, "dist");
/** In dist/: the sources' hash on its first line, their signature on its second. */
export const STAMP = ".changebot-src";

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every file the compiled output depends on, in a stable order. */
export function sourceFiles() {
  return [...walk(join(ROOT, "src")), join(ROOT, "tsconfig.json"), join(ROOT, "tsconfig.build.json")];
}

/** Path, size and mtime of every source file, as one line. */
export function sourceSignature(files = sourceFiles()) {
  return files
    .map((f) => {
      const s = statSync(f);
      return `${relative(ROOT, f)}:${s.size}:${s.mtimeMs}`;
    })
    .join("|");
}

/** [hash, signature] of the last build, or empty strings. */
export function readStamp() {
  try {
    const [hash = "", sig = ""] = readFileSync(join(DIST, STAMP), "utf8").split("\n");
    return [hash.trim(), sig.trim()];
  } catch {
    return ["", ""];
  }
}
