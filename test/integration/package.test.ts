import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../harness/child.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
// An installed package and a copied clone are many files: removing them can take a while on a busy machine.
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 180_000);

/** Runs a command with no Redis or config from the test's environment. */
function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, REDIS_URL: "", CHANGEBOT_CONFIG: "", NODE_OPTIONS: "" },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under dir whose path contains name (symlinks not followed). */
function findNamed(dir: string, name: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.name === name)
    .map((e) => join(e.parentPath, e.name));
}

describe("packaging", () => {
  // Both tests build dist/ (npm pack's prepack, the clone's first start): one at a time.
  it("npm pack, then npm install -g of the tarball, gives a working changebot command without tsx", {
    timeout: 600_000,
  }, () => {
    const out = tempDir("changebot-pack-");
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", out, "--loglevel=error"], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain("bin/changebot.js");
    expect(files).toContain("dist/main.js");
    expect(files).toContain("runbooks/librarian-migration.yaml");
    expect(
      files.filter((f) => f.startsWith("src/") || f.startsWith("test/") || f.startsWith("data/")),
    ).toEqual([]);

    const prefix = tempDir("changebot-global-");
    const tarball = join(out, packed[0]!.filename);
    const install = run(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        prefix,
        "--omit=dev",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        tarball,
      ],
      out,
    );
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.code).toBe(0);

    const cmd = join(prefix, "bin", "changebot");
    const version = run(cmd, ["--version"], out);
    expect(version).toEqual({ code: 0, stdout: `changebot ${pkg.version}\n`, stderr: "" });
    // The installed bot finds its shipped runbooks, and runs without tsx (not installed at all).
    const validate = run(cmd, ["validate"], out);
    expect(validate.stderr).toBe("");
    expect(validate.stdout).toMatch(/^config OK: the embedded default/);
    expect(validate.stdout).toMatch(/runbooks: 5 in \S+lib\/node_modules\/changebot\/runbooks: /);
    expect(findNamed(join(prefix, "lib", "node_modules"), "tsx")).toEqual([]);
  });

  it("./changebot in a fresh clone builds dist/ on first start and runs it without tsx", {
    timeout: 300_000,
  }, () => {
    const clone = tempDir("changebot-clone-");
    const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\0")
      .filter((f) => f && existsSync(join(ROOT, f)));
    for (const f of tracked) {
      mkdirSync(dirname(join(clone, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(clone, f));
    }
    // The installed dependencies, minus tsx and the esbuild it runs on: if the start needed them, it fails.
    const modules = join(clone, "node_modules");
    mkdirSync(modules);
    const left = ["tsx", "esbuild", "@esbuild", ".bin"];
    for (const name of readdirSync(join(ROOT, "node_modules"))) {
      if (left.includes(name) || name.startsWith(".")) continue;
      symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
    }
    // What ./changebot's first run leaves after npm ci, so it does not install again.
    const lock = execFileSync("sha256sum", [join(clone, "package-lock.json")], { encoding: "utf8" }).split(
      " ",
    )[0];
    execFileSync("sh", ["-c", `echo ${lock} > node_modules/.changebot-lock`], { cwd: clone });

    const first = run(join(clone, "changebot"), ["--version"], clone);
    expect(first.stdout).toBe(`changebot ${pkg.version}\n`);
    expect(first.stderr).toBe("changebot: building dist/ from src/…\n");
    expect(first.code).toBe(0);
    expect(existsSync(join(clone, "dist", "main.js"))).toBe(true);

    const again = run(join(clone, "changebot"), ["validate"], clone);
    expect(again.stderr).toBe("");
    expect(again.stdout).toMatch(/^config OK: the embedded default/);
    expect(again.code).toBe(0);
  });
});
