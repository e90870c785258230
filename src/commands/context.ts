import type { InboundMessage } from "../core/messages.js";
import type { Services } from "../domain/services.js";
import { startJob } from "../infra/enqueue.js";
import type { JobRecord } from "../infra/job-store.js";
import type { HandlerRegistry } from "../jobs/runner.js";
import { pageUrl, shapeAnswer } from "./answer.js";
import type { Command, CommandContext } from "./types.js";

/** What every command's context is made from (built once, in src/app.ts). */
export interface CommandDeps {
  services: Services;
  /** Every command the bot knows (for !help and "did you mean"). */
  commands: readonly Command[];
  /** Every job handler (for !job retry / done). */
  handlers: HandlerRegistry;
}

/** What the router found for this message. */
export interface Invocation<A = unknown> {
  args: A;
  words: string[];
  roles: string[];
}

/**
 * A command's context: its replies go through the outbox, answering the message
 * in its thread; its jobs are started by infra/enqueue.ts, which posts the ack
 * ("queued #n: …") before the job's own messages can follow it. Each job started
 * is added to `jobs` (the console's scripting mode waits for them).
 */
export function commandContext<A>(
  deps: CommandDeps,
  msg: InboundMessage,
  inv: Invocation<A>,
  jobs: number[],
): CommandContext<A> {
  const { services } = deps;
  const base = linkBase(services);
  const reply: CommandContext["reply"] = async (text, opts = {}) => {
    for (const out of shapeAnswer(msg, text, opts, base)) await services.outbox.send(out);
  };
  return {
    msg,
    args: inv.args,
    words: inv.words,
    roles: inv.roles,
    services,
    commands: deps.commands,
    handlers: deps.handlers,
    reply,
    pageUrl: (page) => pageUrl(base, page),
    enqueue: async (req) => {
      const ack = async (r: JobRecord) => {
        await reply(req.ack ? req.ack(r) : `queued #${r.id}: ${req.summary}`, { ref: r.ref });
      };
      const rec = await startJob(services, req, msg, req.quiet ? undefined : ack);
      jobs.push(rec.id);
      return rec;
    },
  };
}

/**
 * The address chat links to: `web.baseUrl`, only when it is set. The address a
 * server on loopback prints at start is not used: people on IRC or Slack cannot
 * reach the bot's loopback, and its port changes with every start.
 */
function linkBase(s: Services): string | undefined {
  const web = s.config.web;
  return web.enabled ? web.baseUrl : undefined;
}
