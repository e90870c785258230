import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import type { ChatAdapter } from "../core/messages.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import type { Services } from "../domain/services.js";
import { redeemLoginToken, webSecret, webUrlKey } from "../infra/web-login.js";
import { mountQueueBoard } from "./admin.js";
import { WebAuth } from "./auth.js";
import { html, page } from "./html.js";
import { LiveHub } from "./hub.js";
import { WebMetrics } from "./metrics.js";
import { opsRoutes } from "./ops.js";
import { pageRoutes } from "./routes.js";

/**
 * The bot's web server. A front end (role all or frontend) serves the pages; a
 * worker-only process serves only /healthz, /readyz and /metrics. The address is
 * printed once at start ("web: http://127.0.0.1:PORT/").
 */
export interface WebOptions {
  services: Services;
  /** The runbook step kinds, to describe each step of a run. */
  kinds: StepKinds;
  adapters: readonly ChatAdapter[];
  /** Networks whose outbox is measured. */
  networks: readonly string[];
  pages: boolean;
  /** Port when web.port is omitted (CHANGEBOT_WEB_PORT); 0 = a free one. */
  defaultPort?: number;
  announce?: (line: string) => void;
}

export interface WebServer {
  url: string;
  metrics: WebMetrics;
  close(): Promise<void>;
}

export async function startWeb(o: WebOptions): Promise<WebServer> {
  const s = o.services;
  const web = s.config.web;
  // No request logging: a login link carries its token in the path.
  const app: FastifyInstance = Fastify({
    logger: false,
    trustProxy: false,
    // A login link's token (a signed identity) is one path parameter.
    routerOptions: { maxParamLength: 2048 },
    // Live pages hold their connections open: closing the server ends them.
    forceCloseConnections: true,
  });
  const hub = new LiveHub(s.redis, `${s.prefix}:events`, web.liveMs);
  await hub.start();
  const metrics = new WebMetrics(s, o.adapters, o.networks);
  metrics.listen(hub);
  let base = web.baseUrl ?? "";

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
    pageRoutes(scope, { s, kinds: o.kinds, auth, hub, base: () => base });
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

  const port = web.port ?? o.defaultPort ?? 0;
  try {
    await app.listen({ host: web.host, port });
  } catch (e) {
    hub.close();
    throw e;
  }
  const addr = app.server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  const host = web.host.includes(":") ? `[${web.host}]` : web.host;
  const url = `http://${host}:${actual}`;
  base = web.baseUrl ?? url;
  if (o.pages) await s.redis.set(webUrlKey(s.prefix), base).catch(() => {});
  o.announce?.(`web: ${base}/`);
  return {
    url,
    metrics,
    close: async () => {
      hub.close();
      await app.close();
    },
  };
}
