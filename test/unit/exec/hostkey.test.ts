import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkHostKey, fingerprint, hostFieldMatches, knownKeys } from "../../../src/exec/hostkey.js";

const dir = mkdtempSync(join(tmpdir(), "changebot-hostkey-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function newKey(name: string): { blob: Buffer; file: string } {
  const file = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  return { blob: Buffer.from(readFileSync(`${file}.pub`, "utf8").split(" ")[1]!, "base64"), file };
}

describe("host key pinning", () => {
  const a = newKey("a");
  const b = newKey("b");

  it("computes the fingerprint exactly as ssh-keygen -lf prints it", () => {
    const printed = execFileSync("ssh-keygen", ["-lf", `${a.file}.pub`], { encoding: "utf8" }).split(" ")[1];
    expect(fingerprint(a.blob)).toBe(printed);
  });

  it("accepts only the pinned fingerprint", () => {
    const p = { name: "bastion", host: "h", port: 22 };
    expect(checkHostKey({ ...p, hostKey: fingerprint(a.blob) }, a.blob)).toEqual({ ok: true });
    const v = checkHostKey({ ...p, hostKey: fingerprint(a.blob) }, b.blob);
    expect(v.ok).toBe(false);
    expect(checkHostKey(p, a.blob).ok).toBe(false);
  });

  it("matches known_hosts entries: plain, [host]:port, patterns, negation, hashed; ignores revoked and CA lines", () => {
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[db.internal]:2222").digest("base64")}`;
    const text = [
      "# comment",
      `bastion.internal,10.0.0.1 ssh-ed25519 ${a.blob.toString("base64")}`,
      `[bastion.internal]:2222 ssh-ed25519 ${b.blob.toString("base64")}`,
      `*.example.org,!evil.example.org ssh-ed25519 ${a.blob.toString("base64")}`,
      `${hashed} ssh-ed25519 ${b.blob.toString("base64")}`,
      `@revoked revoked.internal ssh-ed25519 ${a.blob.toString("base64")}`,
    ].join("\n");
    expect(knownKeys(text, "bastion.internal", 22)).toEqual([a.blob]);
    expect(knownKeys(text, "bastion.internal", 2222)).toEqual([b.blob]);
    expect(knownKeys(text, "www.example.org", 22)).toEqual([a.blob]);
    expect(knownKeys(text, "evil.example.org", 22)).toEqual([]);
    expect(knownKeys(text, "db.internal", 2222)).toEqual([b.blob]);
    expect(knownKeys(text, "revoked.internal", 22)).toEqual([]);
    expect(hostFieldMatches("a,b", "c")).toBe(false);
    const kh = join(dir, "known_hosts");
    writeFileSync(kh, text);
    const p = { name: "bastion", host: "bastion.internal", port: 22, knownHosts: kh };
    expect(checkHostKey(p, a.blob).ok).toBe(true);
    const changed = checkHostKey(p, b.blob);
    expect(changed.ok === false && changed.reason).toMatch(/not the key .* lists for it: REFUSED/);
    const unknown = checkHostKey({ ...p, host: "other.internal" }, a.blob);
    expect(unknown.ok === false && unknown.reason).toMatch(/has no entry for this host: REFUSED/);
  });
});
