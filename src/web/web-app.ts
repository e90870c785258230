import type { Server } from "node:http";
import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import { redeemLoginToken, webSecret } from "../infra/web-login.js";
import { mountQueueBoard } from "./admin.js";
import { WebAuth } from "./auth.js";
import { html, page } from "./html.js";
import type { LiveHub } from "./hub.js";
import type { WebMetrics } from "./metrics.js";
import { opsRoutes } from "./ops.js";
import type { WebOptions } from "./options.js";
import { pageRoutes } from "./routes.js";

/**
 * The web server's routes (Fastify, its plugins, the pages), built at the first
 * request the server gets (server.ts), not at start. Requests reach it through
 * the handler it returns; the server that listens is server.ts's own.
 */
export async function buildWebApp(
  o: WebOptions,
  server: Server,
  hub: LiveHub,
  metrics: WebMetrics,
  base: () => string,
): Promise<{ app: FastifyInstance; handle: (req: unknown, res: unknown) => void }> {
  const s = o.services;
  const web = s.config.web;
  let handle: ((req: unknown, res: unknown) => void) | undefined;
  // No request logging: a login link carries its token in the path.
  const app: FastifyInstance = Fastify({
    logger: false,
    trustProxy: false,
    // A login link's token (a signed identity) is one path parameter.
    routerOptions: { maxParamLength: 2048 },
    // The server already listens (server.ts); Fastify gets its requests through handle.
    serverFactory: (h) => {
      handle = h as (req: unknown, res: unknown) => void;
      return server;
    },
  });
  await app.register(async (scope) => {
    await scope.register(helmet, {
      enableCSPNonces: true,
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", "data:"], connectSrc: ["'self'"] },
      },
      referrerPolicy: { policy: "no-referrer" },
    });
    opsRoutes(scope, s, o.adapters, metrics);
    if (!o.pages) return;
    await scope.register(cookie);
    await scope.register(rateLimit, { global: false });
    const auth = new WebAuth(s, await webSecret(s.redis, s.prefix, web.auth?.secret));
    pageRoutes(scope, { s, kinds: o.kinds, auth, hub, base });
    const nonce = (reply: unknown) =>
      (reply as { cspNonce?: { script: string; style: string } }).cspNonce ?? { script: "", style: "" };
    scope.get("/login", async (req, reply) => {
      const body = auth.open
        ? html`<h1>No login needed</h1><p>This server is on loopback without web.auth: <a href="/">go to the overview</a>.</p>`
        : html`<h1>Log in</h1><p>These pages show what the bot knows to the people who may see it in chat.</p>
          <p>To log in, type <code>${s.config.prefix}web login</code> in chat: the bot answers privately with a link
          that works once, for a few minutes, and signs you in as your chat identity (your roles apply here too).</p>
          ${web.auth?.proxyHeader ? html`<p>Or come through the signing-in proxy of this site.</p>` : ""}`;
      void req;
      return reply
        .type("text/html; charset=utf-8")
        .send(page({ title: "Log in", nonce: nonce(reply) }, body));
    });
    scope.get<{ Params: { token: string } }>(
      "/login/:token",
      { config: { rateLimit: { max: web.loginRateLimit, timeWindow: 60_000 } } },
      async (req, reply) => {
        if (!web.auth) return reply.redirect("/", 303);
        const secret = await webSecret(s.redis, s.prefix, web.auth.secret);
        const r = await redeemLoginToken(s.redis, s.prefix, secret, req.params.token, s.clock.now());
        if ("error" in r) {
          s.log.info({ reason: r.error }, "web login link refused");
          return reply
            .code(403)
            .type("text/html; charset=utf-8")
            .send(
              page(
                { title: "Login link refused", nonce: nonce(reply) },
                html`<h1>This login link does not work</h1><p>It was ${r.error === "already used" ? "used already" : r.error === "expired" ? "too old" : "not valid"}: a link works once and for a few minutes. Type <code>${s.config.prefix}web login</code> in chat for a new one.</p>`,
              ),
            );
        }
        auth.startSession(reply, r.who);
        s.log.info({ who: `${r.who.network}:${r.who.id}` }, "web session started");
        return reply.redirect("/", 303);
      },
    );
  });
  if (o.pages)
    await mountQueueBoard(
      app,
      s,
      new WebAuth(s, await webSecret(s.redis, s.prefix, web.auth?.secret)),
      o.networks,
    );
  await app.ready();
  if (!handle) throw new Error("the web routes were built without a request handler");
  return { app, handle };
}
