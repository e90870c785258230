import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { webUrlKey } from "../infra/web-login.js";
import { LiveHub } from "./hub.js";
import { WebMetrics } from "./metrics.js";
import type { WebOptions } from "./options.js";

export type { WebOptions } from "./options.js";

/**
 * The bot's web server. A front end (role all or frontend) serves the pages; a
 * worker-only process serves only /healthz, /readyz and /metrics. The address is
 * printed once at start ("web: http://127.0.0.1:PORT/").
 *
 * At start it listens, and the metrics and the live-page hub begin (the counters
 * see what happens from the start); Fastify, its plugins and the routes
 * (web-app.ts) are loaded at the first request, which waits for them.
 */
export interface WebServer {
  url: string;
  metrics: WebMetrics;
  close(): Promise<void>;
}

export async function startWeb(o: WebOptions): Promise<WebServer> {
  const s = o.services;
  const web = s.config.web;
  const hub = new LiveHub(s.redis, `${s.prefix}:events`, web.liveMs);
  await hub.start();
  const metrics = new WebMetrics(s, o.adapters, o.networks);
  metrics.listen(hub);
  let base = web.baseUrl ?? "";

  type Handle = (req: IncomingMessage, res: ServerResponse) => void;
  let built: Promise<{ app: FastifyInstance; handle: Handle }> | undefined;
  let closed = false;
  const server = createServer((req, res) => {
    built ??= import("./web-app.js")
      .then((m) => m.buildWebApp(o, server, hub, metrics, () => base))
      .catch((e) => {
        built = undefined;
        throw e;
      });
    built.then(
      ({ handle }) => handle(req, res),
      (e) => {
        s.log.error({ err: (e as Error).message }, "the web pages could not be loaded");
        res.statusCode = 500;
        res.setHeader("content-type", "text/plain");
        res.end("The web pages could not be loaded; the bot's log says why.\n");
      },
    );
  });
  const port = web.port ?? o.defaultPort ?? 0;
  try {
    await new Promise<void>((res, rej) => {
      server.once("error", rej);
      server.listen({ host: web.host, port }, () => {
        server.off("error", rej);
        res();
      });
    });
  } catch (e) {
    hub.close();
    throw e;
  }
  const addr = server.address();
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
      if (closed) return;
      closed = true;
      hub.close();
      // Live pages hold their connections open: closing the server ends them.
      const done = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await built?.then(({ app }) => app.close()).catch(() => {});
      await done;
    },
  };
}
