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

/** The sshd harness with a fake for every command the shipped runbooks run (its sessions get an empty HOME). */
export function startRunbookSshd(fakes: string[] = RUNBOOK_COMMANDS): Promise<Sshd> {
  return startSshd(fakes);
}
