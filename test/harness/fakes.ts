import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A folder of fake commands (lpndt, rsync, juju, systemctl, …), put first on a
 * PATH, each of which records its argv (one line, tab-separated) in a shared
 * file and exits with the status set for it (0 by default).
 */
export interface FakeBin {
  dir: string;
  /** Every recorded call, oldest first, as argv arrays. */
  calls(): string[][];
  /** Make a command exit with this status from now on (0 to succeed again). */
  setExit(name: string, status: number): void;
  clear(): void;
}

export function makeFakeBin(root: string, names: readonly string[]): FakeBin {
  const dir = join(root, "fakebin");
  mkdirSync(dir, { recursive: true });
  const rec = join(root, "calls.log");
  writeFileSync(rec, "");
  for (const name of names) {
    const file = join(dir, name);
    writeFileSync(
      file,
      `#!/bin/sh
{ printf '%s' '${name}'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> '${rec}'
echo "${name} ran"
if [ -f '${dir}/${name}.exit' ]; then exit "$(cat '${dir}/${name}.exit')"; fi
exit 0
`,
    );
    chmodSync(file, 0o755);
  }
  return {
    dir,
    calls: () =>
      readFileSync(rec, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")),
    setExit: (name, status) => {
      const f = join(dir, `${name}.exit`);
      if (status === 0) {
        if (existsSync(f)) rmSync(f);
      } else writeFileSync(f, String(status));
    },
    clear: () => writeFileSync(rec, ""),
  };
}

/** Every command the shipped runbooks run on a host. */
export const RUNBOOK_COMMANDS = [
  "mountpoint",
  "systemctl",
  "rsync",
  "lpndt",
  "juju",
  "readlink",
  "sed",
  "rm",
  "sudo",
  "env",
  "crontab",
  "cp",
  "pg_dump",
  "dropdb",
  "createdb",
  "psql",
  "umount",
  "mount",
  "sync",
];
