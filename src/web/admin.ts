import cookie from "@fastify/cookie";
import type { FastifyInstance } from "fastify";
import { ANNOUNCE_QUEUE } from "../announce/delayed.js";
import { allowed } from "../core/identity.js";
import type { Services } from "../domain/services.js";
import { outboxQueueName, WEBHOOK_QUEUE, WORK_QUEUE } from "../infra/queues.js";
import type { WebAuth } from "./auth.js";

/**
 * /admin/queues: the BullMQ dashboard (@bull-board), for the admin role only. It
 * lives in a scope of its own: its UI needs a looser content policy than the pages.
 * Loaded only when the pages are served.
 */
export async function mountQueueBoard(
  app: FastifyInstance,
  s: Services,
  auth: WebAuth,
  networks: readonly string[],
): Promise<void> {
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/fastify"),
  ]);
  const names = [WORK_QUEUE, ANNOUNCE_QUEUE, WEBHOOK_QUEUE, ...networks.map(outboxQueueName)];
  const serverAdapter = new FastifyAdapter();
  createBullBoard({
    queues: names.map((n) => new BullMQAdapter(s.queues.get(n), { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: "changebot queues" } },
  });
  serverAdapter.setBasePath("/admin/queues");
  await app.register(async (scope) => {
    await scope.register(cookie);
    scope.addHook("onRequest", async (req, reply) => {
      const v = auth.require(req, reply);
      if (!v) return reply;
      if (!allowed(v.roles, ["admin"]))
        return reply.code(403).type("text/plain").send("The queue dashboard needs the admin role.\n");
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: "/admin/queues" });
  });
}
