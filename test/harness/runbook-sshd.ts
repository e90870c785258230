import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Sshd, startSshd } from "./sshd.js";

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

/**
 * The sshd harness with a fake for every command the shipped runbooks run. Some
 * of those (readlink, rm, sed, env, cp) are also what a login shell's startup
 * files use — the session shell reads ~/.bashrc under sshd — so the session gets
 * an empty HOME of its own: the fakes see only the runbook's commands. The
 * working folder stays the user's home from the password database.
 */
export async function startRunbookSshd(fakes: string[] = RUNBOOK_COMMANDS): Promise<Sshd> {
  const sshd = await startSshd(fakes);
  const home = join(sshd.dir, "home");
  mkdirSync(home, { recursive: true });
  const keys = join(sshd.dir, "authorized_keys");
  writeFileSync(
    keys,
    readFileSync(keys, "utf8").replaceAll(
      'environment="PATH=',
      `environment="HOME=${home}",environment="PATH=`,
    ),
  );
  return sshd;
}
