import type {} from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isLoopback } from "../config/web.js";
import { rolesOf } from "../core/identity.js";
import type { Identity } from "../core/messages.js";
import type { Services } from "../domain/services.js";
import { sign, verify } from "../infra/web-login.js";

/**
 * Who is looking at a page. Loopback without `web.auth`: the local viewer, who may
 * see everything (like the console user of the embedded default). With `web.auth`:
 * a session from a `!web login` link (the chat identity; its roles apply), or the
 * trusted proxy's header (the identity `web:<user>`).
 */
export interface Viewer {
  who: Identity;
  roles: string[];
  via: "loopback" | "session" | "proxy";
}

export const SESSION_COOKIE = "changebot_session";

/** Roles of a viewer: chat identities as in chat; `web:<user>` by the rules naming it. */
export function viewerRoles(s: Services, who: Identity): string[] {
  if (who.network !== "web") return rolesOf(who, s.config.roles);
  return Object.entries(s.config.roles)
    .filter(([, rules]) => rules.includes(`web:${who.id}`))
    .map(([role]) => role);
}

export class WebAuth {
  constructor(
    private readonly s: Services,
    private readonly secret: string,
  ) {}

  get open(): boolean {
    return !this.s.config.web.auth && isLoopback(this.s.config.web.host);
  }

  viewer(req: FastifyRequest): Viewer | undefined {
    const { web } = this.s.config;
    if (!web.auth) {
      if (!this.open) return undefined; // refused by `changebot validate`; never served open
      return { who: { network: "web", id: "local", display: "local" }, roles: ["admin"], via: "loopback" };
    }
    const header = web.auth.proxyHeader?.toLowerCase();
    const remote = req.socket.remoteAddress ?? "";
    if (header && web.auth.trustedProxies.includes(remote)) {
      const user = req.headers[header];
      if (typeof user === "string" && /^[^\s:]{1,200}$/.test(user)) {
        const who = { network: "web", id: user, display: user };
        return { who, roles: viewerRoles(this.s, who), via: "proxy" };
      }
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) {
      const claims = verify(this.secret, "session", cookie, this.s.clock.now());
      if (!("error" in claims))
        return { who: claims.who, roles: viewerRoles(this.s, claims.who), via: "session" };
    }
    return undefined;
  }

  /** The viewer, or undefined after redirecting to the login explanation. */
  require(req: FastifyRequest, reply: FastifyReply): Viewer | undefined {
    const v = this.viewer(req);
    if (!v) {
      const next = req.url.startsWith("/") && !req.url.startsWith("//") ? req.url : "/";
      void reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
    return v;
  }

  startSession(reply: FastifyReply, who: Identity): void {
    const auth = this.s.config.web.auth!;
    const exp = this.s.clock.now() + auth.sessionTtl;
    reply.setCookie(SESSION_COOKIE, sign(this.secret, "session", { who, exp }), {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: (this.s.config.web.baseUrl ?? "").startsWith("https:"),
      maxAge: Math.floor(auth.sessionTtl / 1000),
    });
  }
}
