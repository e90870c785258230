import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { checkHosts } from "../../../src/exec/ssh-validate.js";

const host = {
  host: "bastion.internal",
  user: "stg-launchpad",
  key: "/k",
  hostKey: `SHA256:${"A".repeat(43)}`,
};

describe("SSH-related configuration", () => {
  it("accepts hosts, lpndt and RC mode steps that refer to each other", () => {
    const c = parseConfig({
      hosts: { bastion: host },
      lpndt: { host: "bastion", services: ["cron-fdt"] },
      rcMode: { onSteps: [{ host: "bastion", argv: ["pqm-rc", "on"] }, { argv: ["true"] }] },
    });
    expect(c.lpndt).toMatchObject({ command: ["lpndt"], timeout: 600_000, idempotent: false });
    expect(c.rcMode.onSteps[1]).toEqual({ argv: ["true"], timeout: 600_000, idempotent: false });
    expect(c.rcMode.offSteps).toEqual([]);
  });

  it("names the key path of each broken reference", () => {
    expect(() =>
      parseConfig({
        hosts: { bastion: host },
        lpndt: { host: "bastoin", services: ["cron-fdt"] },
        rcMode: { offSteps: [{ host: "pqm", argv: ["x"] }] },
      }),
    ).toThrow(
      /lpndt.host: "bastoin" is not an entry of hosts \(have: local, bastion\)[\s\S]*rcMode.offSteps\[0\].host: "pqm" is not an entry/,
    );
    expect(() => parseConfig({ hosts: { local: host } })).toThrow(/hosts.local: "local" is reserved/);
    expect(() => parseConfig({ lpndt: { host: "local", user: "x", services: ["a"] } })).toThrow(/lpndt.user/);
  });

  it("refuses a host key that is not a SHA256 fingerprint, and a service name with shell syntax", () => {
    expect(() => parseConfig({ hosts: { b: { ...host, hostKey: "MD5:aa:bb" } } })).toThrow(
      /hosts.b.hostKey: expected "SHA256:"/,
    );
    expect(() => parseConfig({ lpndt: { host: "local", services: ["cron;rm"] } })).toThrow(
      /lpndt.services\[0\]: expected a plain service name/,
    );
  });

  it("changebot validate names what would make every step on a host fail", () => {
    const c = parseConfig({
      hosts: {
        a: { host: "h", user: "u", key: "/nonexistent/key", passphraseEnv: "NOPE_PASS" },
        b: { host: "h", user: "u", hostKey: host.hostKey },
      },
    });
    expect(checkHosts(c, {})).toEqual([
      "config hosts.a: neither hostKey nor knownHosts is set, so every connection to it would be refused",
      "config hosts.a.key: cannot read /nonexistent/key",
      "config hosts.a.passphraseEnv: the environment variable NOPE_PASS is not set",
      "config hosts.b: no key, and SSH_AUTH_SOCK is not set (no ssh-agent)",
    ]);
    expect(checkHosts(c, { NOPE_PASS: "x", SSH_AUTH_SOCK: "/tmp/agent" })).toHaveLength(2);
  });
});
