import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * Host key pinning. A host's key is accepted only when it matches the SHA256
 * fingerprint in the config (`ssh-keygen -lf` format) or a key listed for that
 * host in a known_hosts file. Anything else (unknown or changed) is refused.
 */

/** "SHA256:" + unpadded base64 of the SHA-256 of the key blob, as OpenSSH prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

function globMatch(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i").test(text);
}

/** One known_hosts host field ("a,b,!c", "[h]:2222", "|1|salt|hash") against a host name. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    const h = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return h === hash;
  }
  let hit = false;
  for (const p of field.split(",")) {
    if (p.startsWith("!")) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) hit = true;
  }
  return hit;
}

/** The key blobs a known_hosts text lists for host:port (revoked keys and CA lines are not trusted). */
export function knownKeys(text: string, host: string, port: number): Buffer[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: Buffer[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("@")) continue;
    const [hosts, , blob] = line.split(/\s+/);
    if (hosts && blob && hostFieldMatches(hosts, name)) keys.push(Buffer.from(blob, "base64"));
  }
  return keys;
}

export interface HostKeyPolicy {
  /** Name in `hosts:` (for messages). */
  name: string;
  host: string;
  port: number;
  hostKey?: string;
  knownHosts?: string;
}

export type HostKeyVerdict = { ok: true } | { ok: false; got: string; reason: string };

/** Accepts the key only if it is pinned; the reason says what to fix. */
export function checkHostKey(p: HostKeyPolicy, keyBlob: Buffer): HostKeyVerdict {
  const got = fingerprint(keyBlob);
  if (p.hostKey) {
    if (p.hostKey === got) return { ok: true };
    return {
      ok: false,
      got,
      reason: `host key of ${p.name} (${p.host}:${p.port}) is ${got}, but hosts.${p.name}.hostKey pins ${p.hostKey}: REFUSED (possible man-in-the-middle; if the host was really re-keyed, verify the new key and update the config)`,
    };
  }
  if (p.knownHosts) {
    let text: string;
    try {
      text = readFileSync(p.knownHosts, "utf8");
    } catch (e) {
      return {
        ok: false,
        got,
        reason: `cannot read hosts.${p.name}.knownHosts ${p.knownHosts}: ${(e as Error).message}; host key ${got} REFUSED`,
      };
    }
    const listed = knownKeys(text, p.host, p.port);
    if (listed.some((k) => k.equals(keyBlob))) return { ok: true };
    return {
      ok: false,
      got,
      reason: listed.length
        ? `host key of ${p.name} (${p.host}:${p.port}) is ${got}, which is not the key ${p.knownHosts} lists for it: REFUSED (possible man-in-the-middle)`
        : `host key of ${p.name} (${p.host}:${p.port}) is ${got}, and ${p.knownHosts} has no entry for this host: REFUSED`,
    };
  }
  return {
    ok: false,
    got,
    reason: `no pinned host key for ${p.name}: set hosts.${p.name}.hostKey (the host offered ${got}; check it out of band first) or hosts.${p.name}.knownHosts; REFUSED`,
  };
}
