import cookie from "@fastify/cookie";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ANNOUNCE_QUEUE } from "../announce/delayed.js";
import { allowed } from "../core/identity.js";
import type { Services } from "../domain/services.js";
import { outboxQueueName, WEBHOOK_QUEUE, WORK_QUEUE } from "../infra/queues.js";
import type { WebAuth } from "./auth.js";

const BASE = "/admin/queues";
/** Hop-by-hop or recomputed by the outer server. */
const NOT_COPIED = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "date"]);

/** The dashboard in a server of its own, never listening: requests reach it by inject. */
async function loadBoard(s: Services, networks: readonly string[]): Promise<FastifyInstance> {
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
  serverAdapter.setBasePath(BASE);
  const board = Fastify({ logger: false });
  await board.register(serverAdapter.registerPlugin(), { prefix: BASE });
  await board.ready();
  return board;
}

/**
 * /admin/queues: the BullMQ dashboard (@bull-board), for the admin role only. It
 * lives in a scope of its own: its UI needs a looser content policy than the pages.
 * Mounted only when the pages are served, and loaded at its first allowed request
 * (bull-board and its UI are not needed to start, nor by most processes at all).
 */
export async function mountQueueBoard(
  app: FastifyInstance,
  s: Services,
  auth: WebAuth,
  networks: readonly string[],
): Promise<void> {
  let board: Promise<FastifyInstance> | undefined;
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    board ??= loadBoard(s, networks).catch((e) => {
      board = undefined;
      throw e;
    });
    const res = await (await board).inject({
      method: req.method as "GET",
      url: req.url,
      headers: req.headers,
      payload: (req.body as string | object | undefined) ?? undefined,
    });
    reply.code(res.statusCode);
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined && !NOT_COPIED.has(k.toLowerCase())) reply.header(k, v);
    return reply.send(res.rawPayload);
  };
  app.addHook("onClose", async () => {
    const b = board;
    board = undefined;
    await b?.then((x) => x.close()).catch(() => {});
  });
  await app.register(async (scope) => {
    await scope.register(cookie);
    scope.addHook("onRequest", async (req, reply) => {
      const v = auth.require(req, reply);
      if (!v) return reply;
      if (!allowed(v.roles, ["admin"]))
        return reply.code(403).type("text/plain").send("The queue dashboard needs the admin role.\n");
    });
    scope.all(BASE, forward);
    scope.all(`${BASE}/*`, forward);
  });
}
