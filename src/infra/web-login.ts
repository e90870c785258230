import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import type { Identity } from "../core/messages.js";

/**
 * Login links for the web pages (`!web login`) and the session they start. A link
 * carries the chat identity, an expiry and a nonce, signed with HMAC-SHA256; it is
 * redeemed once (the nonce is remembered in Redis until the link would expire
 * anyway). The session cookie is the same kind of signed value, without a nonce.
 */
export interface WebClaims {
  who: Identity;
  exp: number;
  nonce?: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** The signing secret: the configured one, else a random one kept in Redis (every process on it shares it). */
export async function webSecret(redis: Redis, prefix: string, configured?: string): Promise<string> {
  if (configured) return configured;
  const key = `${prefix}:web:secret`;
  await redis.set(key, randomBytes(32).toString("hex"), "NX");
  return (await redis.get(key)) ?? "";
}

function mac(secret: string, kind: string, body: string): string {
  return createHmac("sha256", secret).update(`${kind}.${body}`).digest("base64url");
}

export function sign(secret: string, kind: "login" | "session", claims: WebClaims): string {
  const body = b64(JSON.stringify(claims));
  return `${body}.${mac(secret, kind, body)}`;
}

/** The claims of a value signed with this secret for this kind, unexpired at `now`; else why not. */
export function verify(
  secret: string,
  kind: "login" | "session",
  value: string,
  now: number,
): WebClaims | { error: string } {
  const [body, sig] = value.split(".");
  if (!body || !sig) return { error: "malformed" };
  const want = Buffer.from(mac(secret, kind, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { error: "bad signature" };
  let claims: WebClaims;
  try {
    claims = JSON.parse(Buffer.from(body, "base64url").toString()) as WebClaims;
  } catch {
    return { error: "malformed" };
  }
  if (typeof claims.exp !== "number" || claims.exp <= now) return { error: "expired" };
  return claims;
}

/** A one-time login link's token for this identity. */
export function issueLoginToken(secret: string, who: Identity, now: number, ttlMs: number): string {
  const { network, id, display, account, mask } = who;
  return sign(secret, "login", {
    who: { network, id, display, account, mask },
    exp: now + ttlMs,
    nonce: randomBytes(12).toString("base64url"),
  });
}

/** Redeems a login token once: the identity, or why it is refused (used, expired, forged). */
export async function redeemLoginToken(
  redis: Redis,
  prefix: string,
  secret: string,
  token: string,
  now: number,
): Promise<{ who: Identity } | { error: string }> {
  const claims = verify(secret, "login", token, now);
  if ("error" in claims) return claims;
  if (!claims.nonce) return { error: "malformed" };
  const ttl = Math.max(1, claims.exp - now);
  const fresh = await redis.set(`${prefix}:web:used:${claims.nonce}`, "1", "PX", ttl, "NX");
  if (fresh !== "OK") return { error: "already used" };
  return { who: claims.who };
}

/** Where the running web server announced itself (it writes this at start; baseUrl wins when set). */
export const webUrlKey = (prefix: string) => `${prefix}:web:url`;

export async function webBaseUrl(
  redis: Redis,
  prefix: string,
  baseUrl?: string,
): Promise<string | undefined> {
  return baseUrl ?? (await redis.get(webUrlKey(prefix))) ?? undefined;
}
