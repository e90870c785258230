import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fingerprint } from "../../src/exec/hostkey.js";
import { killUnder } from "./leftovers.js";
import { requireBinary, spawnServer } from "./servers.js";

/**
 * Debian's OpenSSH sshd on a free loopback port, in a temp folder: its own host
 * key, a client key authorized for the current user (tests run as root), and a
 * PATH (via authorized_keys `environment=`) whose fake commands append their
 * argv to a record file and then do what the test told them.
 */
export interface FakeBehaviour {
  exit?: number;
  /** Printed on stdout, one line each. */
  output?: string[];
  stderr?: string[];
  /** Seconds to sleep before exiting (may be fractional). */
  delay?: number;
  /** Keep running until this file exists (the test decides when the step ends, not a timer). */
  holdUntil?: string;
  /**
   * While holding, print this line every 50 ms: once the session is closed the
   * command dies of SIGPIPE, as a real command with output does.
   */
  holdOutput?: string;
}

export interface Sshd {
  port: number;
  dir: string;
  user: string;
  /** Client key the server accepts; a second one it does not; one locked with a passphrase. */
  clientKey: string;
  otherKey: string;
  lockedKey: string;
  lockedPassphrase: string;
  /** "SHA256:…" of the server's host key, and a known_hosts file listing it. */
  hostKey: string;
  knownHosts: string;
  /** A fingerprint of some other key (for mismatch tests). */
  otherHostKey: string;
  /** Fake commands' calls, one line each: "lpndt [service-stop] [cron-fdt]". */
  calls(): string[];
  clearCalls(): void;
  behave(command: string, b: FakeBehaviour): void;
  /** A `hosts:` entry for this server. */
  hostEntry(extra?: Record<string, unknown>): Record<string, unknown>;
  output(): string;
  /**
   * kill -9 of the listening sshd, then the same server again on the same port
   * with the same host key and config (sessions already open live on, as they
   * do when a real sshd restarts).
   */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** New connections sshd logged since `from` (an offset in output(): its -e log's "Connection from …", "Accepted publickey …"). */
export const connectionsSince = (sshd: Sshd, from: number) =>
  sshd
    .output()
    .slice(from)
    .split("\n")
    .filter((l) => /Connection from|Accepted publickey/.test(l));

const FAKE = (record: string, behaviours: string) => `#!/bin/sh
# A fake command for tests: records its argv, then does what ${behaviours}/<name> says.
name=$(basename "$0")
{ printf '%s' "$name"; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'; } >> ${record}
if [ -f ${behaviours}/"$name" ]; then . ${behaviours}/"$name"; fi
exit 0
`;

function keygen(bin: string, file: string, passphrase = ""): Buffer {
  execFileSync(bin, ["-q", "-t", "ed25519", "-N", passphrase, "-C", "changebot-test", "-f", file]);
  return Buffer.from(readFileSync(`${file}.pub`, "utf8").split(" ")[1]!, "base64");
}

export async function startSshd(fakes: string[] = ["lpndt", "pqm-rc", "flaky"]): Promise<Sshd> {
  const sshd = requireBinary("sshd", "openssh-server");
  const kg = requireBinary("ssh-keygen", "openssh-client");
  mkdirSync("/run/sshd", { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "changebot-sshd-"));
  const bin = join(dir, "bin");
  const behaviours = join(dir, "behave");
  const record = join(dir, "calls.log");
  mkdirSync(bin);
  mkdirSync(behaviours);
  writeFileSync(record, "");
  for (const f of fakes) {
    writeFileSync(join(bin, f), FAKE(record, behaviours));
    chmodSync(join(bin, f), 0o755);
  }
  const hostBlob = keygen(kg, join(dir, "host_ed25519"));
  const otherHostBlob = keygen(kg, join(dir, "otherhost_ed25519"));
  const clientBlob = keygen(kg, join(dir, "client_ed25519"));
  keygen(kg, join(dir, "other_ed25519"));
  const lockedPassphrase = "correct horse battery staple";
  const lockedBlob = keygen(kg, join(dir, "locked_ed25519"), lockedPassphrase);
  // The session shell reads ~/.bashrc under sshd; an empty HOME of its own keeps the
  // machine's startup files (pyenv, …) away from the fakes and from the timing.
  const home = join(dir, "home");
  mkdirSync(home);
  const env = `environment="HOME=${home}",environment="PATH=${bin}:/usr/local/bin:/usr/bin:/bin"`;
  writeFileSync(
    join(dir, "authorized_keys"),
    [clientBlob, lockedBlob].map((b) => `${env} ssh-ed25519 ${b.toString("base64")} t\n`).join(""),
  );
  const conf = join(dir, "sshd_config");
  writeFileSync(
    conf,
    [
      `HostKey ${join(dir, "host_ed25519")}`,
      "ListenAddress 127.0.0.1",
      "PidFile none",
      "UsePAM no",
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PermitUserEnvironment yes",
      "AllowTcpForwarding yes",
      "MaxStartups 200",
      "MaxSessions 50",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  const args = (port: number) => ["-D", "-e", "-f", conf, "-p", String(port)];
  let srv = await spawnServer(sshd, args, { dir });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${srv.port} ssh-ed25519 ${hostBlob.toString("base64")}\n`);
  const user = userInfo().username;
  const hostKey = fingerprint(hostBlob);
  return {
    port: srv.port,
    dir,
    user,
    clientKey: join(dir, "client_ed25519"),
    otherKey: join(dir, "other_ed25519"),
    lockedKey: join(dir, "locked_ed25519"),
    lockedPassphrase,
    hostKey,
    knownHosts,
    otherHostKey: fingerprint(otherHostBlob),
    calls: () => readFileSync(record, "utf8").split("\n").filter(Boolean),
    clearCalls: () => writeFileSync(record, ""),
    behave: (command, b) => {
      const lines = [
        ...(b.output ?? []).map((l) => `printf '%s\\n' '${l.replace(/'/g, `'\\''`)}'`),
        ...(b.stderr ?? []).map((l) => `printf '%s\\n' '${l.replace(/'/g, `'\\''`)}' >&2`),
        b.delay ? `sleep ${b.delay}` : "",
        b.holdUntil
          ? `while [ ! -e '${b.holdUntil}' ]; do ${b.holdOutput ? `printf '%s\\n' '${b.holdOutput.replace(/'/g, `'\\''`)}'; ` : ""}sleep 0.05; done`
          : "",
        `exit ${b.exit ?? 0}`,
      ];
      writeFileSync(join(behaviours, command), `${lines.join("\n")}\n`);
    },
    hostEntry: (extra = {}) => ({
      host: "127.0.0.1",
      port: srv.port,
      user,
      key: join(dir, "client_ed25519"),
      hostKey,
      ...extra,
    }),
    output: () => srv.output(),
    restart: async (downMs = 0) => {
      await srv.kill();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      srv = await spawnServer(sshd, args, { dir, port: srv.port, keepDir: true });
    },
    stop: async () => {
      await srv.stop();
      await killUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
