import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type FakeBehaviour, type Sshd, startSshd } from "./sshd.js";

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
  "mv",
  "pg_dump",
  "dropdb",
  "createdb",
  "psql",
  "umount",
  "mount",
  "sync",
  "sh",
  "dig",
  "curl",
  "grep",
];

/**
 * What a fake prints when a test has not told it otherwise: the answers the
 * shipped runbooks' checks pass with (a unit that is active and never
 * restarted, a TTL of 5 minutes, an idle old database, staging times within
 * the budget).
 */
export const RUNBOOK_HAPPY: Record<string, FakeBehaviour> = {
  systemctl: { output: ["ActiveState=active", "NRestarts=0", "ActiveEnterTimestampMonotonic=1234567890"] },
  dig: { output: ["example.org.\t300\tIN\tA\t192.0.2.10"] },
  psql: { output: ["0"] },
  // The old database's session count is read through sudo -u postgres.
  sudo: { output: ["0"] },
  sh: {
    output: ["2208-30-0 applied just now in 70.5 seconds", "2208-31-0 applied just now in 120.5 seconds"],
  },
};

/**
 * The sshd harness with a fake for every command the shipped runbooks run (its
 * sessions get an empty HOME). `behave(name, {})` puts the fake back to its
 * happy answer (RUNBOOK_HAPPY).
 */
export async function startRunbookSshd(fakes: string[] = RUNBOOK_COMMANDS): Promise<Sshd> {
  const sshd = await startSshd(fakes);
  const behave = (name: string, b: FakeBehaviour) =>
    sshd.behave(name, Object.keys(b).length ? b : (RUNBOOK_HAPPY[name] ?? {}));
  for (const name of fakes) behave(name, {});
  return { ...sshd, behave };
}

/**
 * Makes a fake run the real command after recording its call, in the sessions'
 * HOME (sshd starts sessions in the user's home from passwd; relative paths
 * must not land there). For a command whose effect a test looks at.
 */
export function passThrough(sshd: Sshd, name: string, real: string): void {
  writeFileSync(join(sshd.dir, "behave", name), `cd "$HOME" || exit 97\nexec ${real} "$@"\n`);
}

/** The sessions' HOME, where passThrough commands work. */
export const sshdHome = (sshd: Sshd) => join(sshd.dir, "home");
