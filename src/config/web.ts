import { z } from "zod";
import { durationField } from "../core/duration.js";

/**
 * The `web:` section: the bot's own web server (run, job and downtime pages, the
 * public status page, /healthz, /readyz, /metrics). On by default on loopback,
 * where no login is needed; any other address needs `auth` (checked in checks.ts).
 */
export const webAuth = z.strictObject({
  /**
   * Signs login links and session cookies (HMAC-SHA256); at least 32 characters,
   * best from the environment ("${CHANGEBOT_WEB_SECRET}"). Omitted: a random secret
   * kept in the bot's Redis, shared by every process on it.
   */
  secret: z.string().min(32, "a web secret needs at least 32 characters").optional(),
  /** `!web login` links: how long one is valid (it works once). */
  loginTtl: durationField.default(10 * 60_000),
  /** How long a session lasts after login. */
  sessionTtl: durationField.default(12 * 3_600_000),
  /** Give `!web login` links (the default). */
  loginLinks: z.boolean().default(true),
  /**
   * A header a trusted reverse proxy (oauth2-proxy, …) sets to the signed-in user;
   * that user is the identity `web:<user>` in `roles:`.
   */
  proxyHeader: z.string().min(1).optional(),
  /** Addresses the proxy header is believed from (the proxy's own address). */
  trustedProxies: z.array(z.string().min(1)).default(["127.0.0.1", "::1", "::ffff:127.0.0.1"]),
});

export const webSchema = z.strictObject({
  enabled: z.boolean().default(true),
  host: z.string().min(1).default("127.0.0.1"),
  /** Omitted: CHANGEBOT_WEB_PORT, else a free port (printed at start). */
  port: z.number().int().min(0).max(65535).optional(),
  /** The address people reach the pages at (chat links use it); default http://host:port. */
  baseUrl: z
    .string()
    .url()
    .regex(/^https?:\/\//, "expected an http:// or https:// URL")
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  /** Serve the public status page (/status, /status.atom) without login. */
  public: z.boolean().default(false),
  auth: webAuth.optional(),
  /** How often a live page looks for changes (besides job events, which push at once). */
  liveMs: durationField.default(1000),
  /** Requests per minute per client to /login links. */
  loginRateLimit: z.number().int().positive().default(10),
});

export type WebConfig = z.output<typeof webSchema>;
export type WebAuthConfig = z.output<typeof webAuth>;

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost|::ffff:127(\.\d{1,3}){3})$/i;

/** True for an address only this host can reach. */
export const isLoopback = (host: string) => LOOPBACK.test(host.replace(/^\[|\]$/g, ""));

/** The problem with `web:`, or undefined: a page reachable from elsewhere needs a login. */
export function webProblems(web: WebConfig): string[] {
  if (!web.enabled || isLoopback(web.host) || web.auth) return [];
  return [
    `config web.host: "${web.host}" is reachable from other hosts and web.auth is not set; add web.auth (login links from !web login, or proxyHeader behind a signing-in proxy), or serve on 127.0.0.1`,
  ];
}
