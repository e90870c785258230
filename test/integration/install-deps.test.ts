import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findBinary } from "../../src/infra/redis.js";
import { ROOT } from "../harness/child.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * .ci/install-deps on a machine where the packages look missing: PATH holds only
 * recording stand-ins for apt-get, systemctl, service and id, and the few tools the
 * script needs. The stand-in apt-get does what a package's maintainer script does
 * through invoke-rc.d: it asks policy-rc.d, and starts the service only if allowed.
 */
function machine(
  opts: { root?: boolean; present?: string[]; policy?: string; aptFails?: boolean; args?: string[] } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "changebot-install-"));
  dirs.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const calls = join(dir, "calls.log");
  writeFileSync(calls, "");
  const policy = join(dir, "policy-rc.d");
  if (opts.policy !== undefined) {
    writeFileSync(policy, opts.policy);
    chmodSync(policy, 0o755);
  }
  for (const tool of ["mktemp", "mv", "rm", "chmod", "cat"]) symlinkSync(findBinary(tool)!, join(bin, tool));
  const standIn = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> '${calls}'\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  standIn("id", `echo ${opts.root === false ? 1000 : 0}`);
  standIn("systemctl", "");
  standIn("service", "");
  standIn(
    "apt-get",
    `[ "$1" = install ] || exit 0
for pkg in "$@"; do
  case "$pkg" in -*|install) continue;; esac
  if [ -x '${policy}' ]; then '${policy}' "$pkg" start; rc=$?; else rc=none; fi
  echo "policy-rc.d $pkg start -> $rc" >> '${calls}'
  [ "$rc" = 101 ] || systemctl start "$pkg"
done
${opts.aptFails ? "exit 100" : ""}`,
  );
  for (const p of opts.present ?? []) standIn(p, "");
  const r = spawnSync("/bin/bash", [join(ROOT, ".ci/install-deps"), ...(opts.args ?? [])], {
    env: { PATH: bin, CHANGEBOT_SBIN_DIRS: "", CHANGEBOT_POLICY_RC_D: policy },
    encoding: "utf8",
  });
  const log = readFileSync(calls, "utf8").trim().split("\n").filter(Boolean);
  return { code: r.status, stderr: r.stderr, log, policy };
}

describe(".ci/install-deps", () => {
  it("installs what is missing with a policy-rc.d that forbids starting anything, then removes it", () => {
    const m = machine({ present: ["redis-server", "openssl"] });
    expect(m.stderr).toContain("installing Debian packages");
    expect(m.code).toBe(0);
    const install = m.log.find((l) => l.startsWith("apt-get install"))!;
    const pkgs = [
      "redis-sentinel",
      "ngircd",
      "inspircd",
      "atheme-services",
      "openssh-server",
      "openssh-client",
      "systemd",
    ];
    for (const p of pkgs) expect(install.split(" ")).toContain(p);
    expect(install).not.toContain("redis-server");
    // Every package asked to start its service during the install and was told no.
    for (const p of pkgs) expect(m.log).toContain(`policy-rc.d ${p} start -> 101`);
    // Nothing was started, stopped or disabled, and the ssh service is never named.
    expect(m.log.filter((l) => /^(systemctl|service) /.test(l))).toEqual([]);
    expect(m.log.filter((l) => / ssh( |$)/.test(l))).toEqual([]);
    expect(existsSync(m.policy)).toBe(false);
  });

  it("puts back a policy-rc.d that was already there, also when the install fails", () => {
    const mine = "#!/bin/sh\n# the operator's own policy\nexit 0\n";
    for (const aptFails of [false, true]) {
      const m = machine({
        policy: mine,
        aptFails,
        present: ["redis-sentinel", "ngircd", "inspircd", "atheme-services"],
      });
      expect(m.code).toBe(aptFails ? 100 : 0);
      expect(m.log).toContain("policy-rc.d redis-server start -> 101");
      expect(readFileSync(m.policy, "utf8")).toBe(mine);
      expect(m.log.filter((l) => /^(systemctl|service) /.test(l))).toEqual([]);
    }
  });

  it("names redis-sentinel for the tests when only it is missing, and as a user installs nothing", () => {
    const present = ["redis-server", "ngircd", "inspircd", "atheme-services", "openssl", "sshd", "ssh"];
    const m = machine({ root: false, present: [...present, "systemd-analyze", "chromium"] });
    expect(m.code).toBe(1);
    expect(m.stderr.trim()).toBe(
      "changebot: missing Debian packages: redis-sentinel — install them with: sudo apt-get install redis-sentinel",
    );
    expect(existsSync(m.policy)).toBe(false);
  });

  it("for the bot (install-deps redis) names only redis-server, and touches nothing as a user", () => {
    const m = machine({ root: false, args: ["redis"] });
    expect(m.code).toBe(1);
    expect(m.stderr.trim()).toBe(
      "changebot: missing Debian packages: redis-server — install them with: sudo apt-get install redis-server",
    );
    expect(m.log).toEqual(["id -u"]);
    expect(existsSync(m.policy)).toBe(false);
  });
});
