import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DowntimeStore } from "../announce/downtimes.js";
import { downtimesToIcs } from "../announce/ics.js";
import { scheduler } from "../announce/lifecycle.js";
import { getRcMode } from "../domain/rc-mode.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import type { Services } from "../domain/services.js";
import type { WebAuth } from "./auth.js";
import { downtimeHistory, findRun, listRuns, slotsOf } from "./data.js";
import { type Html, html, page } from "./html.js";
import type { LiveHub } from "./hub.js";
import { serveLive } from "./live.js";
import { renderDowntime, renderDowntimes } from "./pages/downtimes.js";
import { renderJobHead, renderJobLog } from "./pages/job.js";
import { renderOverview } from "./pages/overview.js";
import { renderRun } from "./pages/run.js";
import { renderAtom, renderStatus } from "./pages/status.js";

/** The read-only pages. Each live page has a twin `/events` stream that patches its #live part. */
export interface PageDeps {
  s: Services;
  kinds: StepKinds;
  auth: WebAuth;
  hub: LiveHub;
  base: () => string;
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

const nonce = (reply: FastifyReply) =>
  (reply as unknown as { cspNonce?: { script: string; style: string } }).cspNonce ?? {
    script: "",
    style: "",
  };

function send(reply: FastifyReply, title: string, body: Html, live?: string, isPublic = false) {
  return reply
    .type("text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(page({ title, live, nonce: nonce(reply), public: isPublic }, html`<div id="live">${body}</div>`));
}

const notFound = (reply: FastifyReply, what: string) =>
  reply.code(404).type("text/plain").send(`No such ${what}.\n`);

export function pageRoutes(app: FastifyInstance, d: PageDeps): void {
  const { s, auth, hub } = d;
  const store = new DowntimeStore(s.redis, s.prefix);
  const guarded =
    <R extends Req>(fn: (req: R, reply: FastifyReply) => Promise<unknown>) =>
    async (req: R, reply: FastifyReply) =>
      auth.require(req, reply) ? fn(req, reply) : reply;

  const overview = async () =>
    renderOverview(s, {
      runs: await listRuns(s, 15),
      downtimes: await store.all(),
      rc: await getRcMode(s),
      jobs: await s.jobs.recent(15),
    });
  app.get(
    "/",
    guarded(async (_req, reply) => send(reply, "changebot", await overview(), "/events")),
  );
  app.get(
    "/events",
    guarded(async (req, reply) =>
      serveLive(req, reply, hub, { render: async () => (await overview()).value }),
    ),
  );

  const runPart = async (id: string) => {
    const run = await findRun(s, id);
    return run ? renderRun(s, d.kinds, run).value : undefined;
  };
  app.get(
    "/runs/:id",
    guarded(async (req: Req, reply) => {
      const run = await findRun(s, req.params.id!);
      if (!run) return notFound(reply, "run");
      return send(
        reply,
        `${run.runbook} #${run.seq}`,
        renderRun(s, d.kinds, run),
        `/runs/${encodeURIComponent(req.params.id!)}/events`,
      );
    }),
  );
  app.get(
    "/runs/:id/events",
    guarded(async (req: Req, reply) => serveLive(req, reply, hub, { render: () => runPart(req.params.id!) })),
  );

  app.get(
    "/jobs/:id",
    guarded(async (req: Req, reply) => {
      const r = /^\d+$/.test(req.params.id!) ? await s.jobs.get(Number(req.params.id)) : undefined;
      if (!r) return notFound(reply, "job");
      const log = await s.jobs.log(r.id);
      const body = html`<div id="live">${renderJobHead(r, s.clock.now())}</div>${renderJobLog(log)}`;
      return reply
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .send(
          page(
            { title: `job #${r.id}`, live: `/jobs/${r.id}/events?offset=${log.length}`, nonce: nonce(reply) },
            body,
          ),
        );
    }),
  );
  app.get(
    "/jobs/:id/events",
    guarded(async (req: Req, reply) => {
      const id = Number(req.params.id);
      const last = Number(req.headers["last-event-id"] ?? req.query.offset ?? 0);
      serveLive(req, reply, hub, {
        offset: Number.isFinite(last) ? last : 0,
        render: async () => {
          const r = await s.jobs.get(id);
          return r ? renderJobHead(r, s.clock.now()).value : undefined;
        },
        append: async (offset) => {
          const log = await s.jobs.log(id);
          return { text: log.slice(offset), offset: log.length };
        },
      });
    }),
  );

  app.get(
    "/downtimes",
    guarded(async (_req, reply) =>
      send(reply, "Downtimes", renderDowntimes(await store.all()), "/downtimes/events"),
    ),
  );
  app.get(
    "/downtimes/events",
    guarded(async (req, reply) =>
      serveLive(req, reply, hub, { render: async () => renderDowntimes(await store.all()).value }),
    ),
  );
  app.get(
    "/downtimes.ics",
    guarded(async (_req, reply) =>
      reply
        .type("text/calendar; charset=utf-8")
        .header("content-disposition", 'inline; filename="downtimes.ics"')
        .send(
          downtimesToIcs(await store.all(), {
            name: s.config.name,
            domain: new URL(d.base()).hostname,
            now: s.clock.now(),
          }),
        ),
    ),
  );
  const downtimePart = async (id: string) => {
    const dt = /^\d+$/.test(id) ? await store.get(Number(id)) : undefined;
    if (!dt) return undefined;
    const waiting = new Set(await scheduler(s).waitingKeys());
    return renderDowntime(s, dt, await slotsOf(s, dt, waiting), await downtimeHistory(s, dt.id));
  };
  app.get(
    "/downtimes/:id",
    guarded(async (req: Req, reply) => {
      const part = await downtimePart(req.params.id!);
      if (!part) return notFound(reply, "downtime");
      return send(reply, `Downtime #${req.params.id}`, part, `/downtimes/${req.params.id}/events`);
    }),
  );
  app.get(
    "/downtimes/:id/events",
    guarded(async (req: Req, reply) =>
      serveLive(req, reply, hub, { render: async () => (await downtimePart(req.params.id!))?.value }),
    ),
  );

  // The public status page: no login, nothing internal.
  if (s.config.web.public) {
    const items = async () => {
      const waiting = new Set(await scheduler(s).waitingKeys());
      const list = (await store.all()).filter((x) => x.status !== "aborted" || !x.needsWindow);
      return Promise.all(list.map(async (x) => ({ d: x, slots: await slotsOf(s, x, waiting) })));
    };
    const status = async () => renderStatus(await items(), s.clock.now());
    app.get("/status", async (_req, reply) =>
      send(reply, "Service status", await status(), "/status/events", true),
    );
    app.get("/status/events", async (req, reply) =>
      serveLive(req, reply, hub, { render: async () => (await status()).value }),
    );
    app.get("/status.atom", async (_req, reply) =>
      reply
        .type("application/atom+xml; charset=utf-8")
        .send(renderAtom(await items(), d.base(), s.clock.now())),
    );
  }
}
