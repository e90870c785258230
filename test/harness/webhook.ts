import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, type RedisServer, test } from "./fixtures.js";

export interface WebhookHit {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  status: number;
  at: number;
}

/**
 * A webhook endpoint on loopback that records every POST. `fail(n)` makes the
 * next n requests answer 503, to test retries.
 */
export async function startWebhookSink() {
  const hits: WebhookHit[] = [];
  const listeners: (() => void)[] = [];
  let failures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString();
      const status = failures > 0 ? 503 : 200;
      if (failures > 0) failures--;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        /* recorded raw */
      }
      hits.push({ headers: req.headers, raw, body, status, at: Date.now() });
      res.writeHead(status).end();
      for (const l of listeners.splice(0)) l();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hits,
    /** Accepted deliveries (2xx). */
    accepted: () => hits.filter((h) => h.status < 300),
    fail(n: number) {
      failures = n;
    },
    async waitFor(pred: (h: WebhookHit) => boolean, timeoutMs = 15_000): Promise<WebhookHit> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const h = hits.find(pred);
        if (h) return h;
        if (Date.now() > deadline) throw new Error(`no matching webhook request within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          listeners.push(r);
          setTimeout(r, 100);
        });
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * For a describe block that needs a redis-server (the file's, from the fixtures)
 * and a webhook sink; their handles are on the returned object once the block runs.
 */
export function redisAndWebhook() {
  const w = {} as { redis: RedisServer; hook: Awaited<ReturnType<typeof startWebhookSink>> };
  test.beforeAll(async ({ redis }) => {
    w.redis = redis;
    w.hook = await startWebhookSink();
  });
  afterAll(async () => {
    await w.hook?.close();
  });
  return w;
}
