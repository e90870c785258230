import type { FastifyInstance } from "fastify";
import type { ChatAdapter } from "../core/messages.js";
import type { Services } from "../domain/services.js";
import type { WebMetrics } from "./metrics.js";

/** Why the process is not ready: Redis not answering, a configured network not connected. */
export async function readiness(s: Services, adapters: readonly ChatAdapter[]): Promise<string[]> {
  const problems: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const pong = await Promise.race([
    s.redis.ping().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), 1500);
    }),
  ]);
  clearTimeout(timer);
  if (!pong || s.redis.status !== "ready")
    problems.push(`redis: not reachable (connection ${s.redis.status})`);
  for (const a of adapters) if (!a.isConnected()) problems.push(`${a.network}: not connected`);
  return problems;
}

/** /healthz (the process lives), /readyz (it can work), /metrics (Prometheus). Never behind a login. */
export function opsRoutes(
  app: FastifyInstance,
  s: Services,
  adapters: readonly ChatAdapter[],
  metrics: WebMetrics,
) {
  app.get("/healthz", async (_req, reply) => reply.type("text/plain").send("ok\n"));
  app.get("/readyz", async (_req, reply) => {
    const problems = await readiness(s, adapters);
    return reply
      .code(problems.length ? 503 : 200)
      .header("cache-control", "no-store")
      .type("text/plain")
      .send(problems.length ? `not ready: ${problems.join("; ")}\n` : "ready\n");
  });
  app.get("/metrics", async (_req, reply) => {
    const text = await metrics.text();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
