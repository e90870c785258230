import type { Redis } from "ioredis";
import {
  buildServices,
  type Closable,
  networksOf,
  openRedis,
  reclaimInBackground,
  startBackground,
} from "./app/start.js";
import { type Running, stopInOrder } from "./app/stop.js";
import { restoreTopics } from "./app/topics.js";
import { createAdapters, usesServices } from "./bot/adapters.js";
import { ConsoleAdapter } from "./bot/console.js";
import { defaultMiddleware } from "./bot/middleware.js";
import { followReceipts } from "./bot/receipts.js";
import { type HandleResult, Router } from "./bot/router.js";
import { commandContext } from "./commands/context.js";
import { commandsFor } from "./commands/index.js";
import { type Command, commandKey } from "./commands/types.js";
import { checkPermissionKeys } from "./config/checks.js";
import { runbooksOf } from "./config/runbook-load.js";
import type { Config } from "./config/schema.js";
import { type Clock, systemClock } from "./core/clock.js";
import type { Logger } from "./core/log.js";
import type { ChatAdapter, InboundMessage } from "./core/messages.js";
import { type StepKind, stepKinds } from "./domain/runbook/kinds/index.js";
import type { StepKinds } from "./domain/runbook/kinds/types.js";
import type { Services } from "./domain/services.js";
import { Outbox, startOutboxWorker } from "./infra/outbox.js";
import type { PrivateRedis } from "./infra/private-redis.js";
import { outboxQueueName, Queues } from "./infra/queues.js";
import { describeRedis, type RedisTarget } from "./infra/redis.js";
import { RedisSeen } from "./infra/seen.js";
import { buildHandlers } from "./jobs/handlers.js";
import { type HandlerRegistry, startWorkers } from "./jobs/runner.js";
import type { WebServer } from "./web/server.js";

/** all: chat front end and worker (the default); frontend: adapters, router, outbox; worker: runs jobs. */
export type ProcessRole = "all" | "frontend" | "worker";

export interface BotOptions {
  config: Config;
  log: Logger;
  role?: ProcessRole;
  /** Overrides config and REDIS_URL (tests): a URL or a Sentinel target. */
  redisUrl?: RedisTarget;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Adapters to use instead of those the config names (tests, benchmarks). */
  adapters?: ChatAdapter[];
  /** Defaults: every command, every job handler (for the bot's step kinds). */
  commands?: readonly Command[];
  handlers?: HandlerRegistry;
  /** Runbook step kinds beside the built-in ones (domain/runbook/kinds/types.ts), e.g. a test's own. */
  stepKinds?: readonly StepKind[];
}

/** The composition root: config → redis → services → adapters → router → workers. */
export class Bot {
  services!: Services;
  router!: Router;
  /** The runbook step kinds this bot knows: the built-in ones and BotOptions.stepKinds. */
  readonly kinds: StepKinds;
  adapters: ChatAdapter[] = [];
  readonly role: ProcessRole;
  private privateRedis?: PrivateRedis;
  private redis?: Redis;
  private closers: Closable[] = [];
  private workers?: { id: string; close(graceMs?: number): Promise<void> };
  private stopping?: Promise<void>;
  /** The web server (pages in a front end; only health and metrics in a worker). */
  web?: WebServer;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Aborted when the bot starts stopping: a script's waits for its jobs end then. */
  private readonly halt = new AbortController();
  /** Resolves when a console in scripting mode has reached the end of its input and its work is done. */
  readonly scriptDone: Promise<void>;
  private resolveScriptDone!: () => void;

  constructor(private readonly opts: BotOptions) {
    this.role = opts.role ?? "all";
    this.kinds = stepKinds(opts.stepKinds);
    this.scriptDone = new Promise((r) => {
      this.resolveScriptDone = r;
    });
  }

  async start(): Promise<this> {
    const { config, log } = this.opts;
    // permissions: keys must name a command this bot has (ConfigError, like `changebot validate`).
    const commands = this.opts.commands ?? commandsFor(this.kinds);
    checkPermissionKeys(config, commands.map(commandKey));
    // Runbooks are checked at start: a bad one stops it (ConfigError); missing hosts are noted.
    for (const w of runbooksOf(config, this.kinds.extraSchemas).warnings) log.info(w);
    const env = this.opts.env ?? process.env;
    const opened = await openRedis(this.opts.redisUrl ?? config.redis ?? env.REDIS_URL, config, log);
    const { redis, url } = opened;
    this.redis = redis;
    this.privateRedis = opened.privateRedis;
    log.info({ redis: describeRedis(url), role: this.role }, "changebot starting");
    const clock = this.opts.clock ?? systemClock;
    const prefix = config.keyPrefix;
    const queues = new Queues({ redisUrl: url, prefix });
    const frontend = this.role !== "worker";
    this.adapters = frontend ? (this.opts.adapters ?? (await createAdapters(config, log))) : [];
    const networks = networksOf(config, this.adapters);
    const outbox = new Outbox(queues, networks, log);
    this.services = buildServices({ config, log, clock, redis, queues, outbox, env });
    const handlers = this.opts.handlers ?? buildHandlers(this.kinds);
    const cmdDeps = { services: this.services, commands, handlers };
    this.router = new Router({
      config,
      log,
      outbox,
      commands,
      middleware: defaultMiddleware({
        prefix: config.prefix,
        seen: new RedisSeen(redis, prefix),
        redelivers: (n) => this.adapters.find((a) => a.network === n)?.redelivers !== false,
        audit: this.services.audit,
        outbox,
      }),
      context: (msg, found, args, jobs) =>
        commandContext(cmdDeps, msg, { args, words: found.words, roles: found.roles }, jobs),
    });
    if (this.role !== "frontend") {
      this.workers = startWorkers(this.services, handlers);
      startBackground(this.services, this.kinds, (c) => this.closers.push(c));
    }
    for (const adapter of this.adapters) this.wire(adapter);
    const outboxes = this.adapters.map((a) => outboxQueueName(a.network));
    reclaimInBackground(this.services, outboxes, this.role !== "frontend");
    for (const adapter of this.adapters) await adapter.start();
    await this.startWeb([...networks], env);
    return this;
  }

  /** After the chat is up (fastify is loaded only now, and only when web is enabled). */
  private async startWeb(networks: string[], env: NodeJS.ProcessEnv): Promise<void> {
    const s = this.services;
    if (!s.config.web.enabled) return;
    const tty = this.adapters.find((a): a is ConsoleAdapter => a instanceof ConsoleAdapter && a.interactive);
    try {
      const { startWeb } = await import("./web/server.js");
      this.web = await startWeb({
        services: s,
        kinds: this.kinds,
        adapters: this.adapters,
        networks,
        pages: this.role !== "worker",
        defaultPort: Number(env.CHANGEBOT_WEB_PORT ?? 0) || 0,
        announce: (line) => {
          s.log.info(line);
          tty?.note(line);
        },
      });
      this.closers.push(this.web);
    } catch (e) {
      // The chat keeps working without its pages; say why they are missing.
      s.log.error({ err: (e as Error).message }, "the web server could not start");
    }
  }

  private wire(adapter: ChatAdapter): void {
    const s = this.services;
    const scripted = adapter instanceof ConsoleAdapter && !adapter.interactive;
    adapter.onMessage((msg: InboundMessage) => {
      const p = this.handle(msg, scripted);
      if (adapter.receipt)
        p.then((r) => followReceipts(s, adapter, msg, r.jobs, this.halt.signal)).catch((e) =>
          s.log.debug({ err: (e as Error).message }, "no receipt for a command"),
        );
      this.inFlight.add(p);
      // The adapter gets p itself, and sees its failure; this chain only keeps the count.
      p.finally(() => this.inFlight.delete(p)).catch(() => {});
      return p;
    });
    adapter.onTopic?.((change) => {
      void s.topics
        .observe(change.network, change.channel, change.topic)
        .catch((e) => s.log.warn({ err: (e as Error).message }, "could not record a topic change"));
    });
    adapter.onConnected?.(() => void restoreTopics(s, adapter));
    if (usesServices(adapter)) adapter.useServices(s, (m) => this.router.refusal(m));
    if (adapter instanceof ConsoleAdapter) {
      adapter.onEnd(() => {
        // Input ended (or the console closed because the bot is stopping): finish what was asked, then say so.
        void (async () => {
          await Promise.allSettled([...this.inFlight]);
          if (!this.stopping) await s.outbox.drained(adapter.network);
        })()
          .catch((e) => s.log.warn({ err: (e as Error).message }, "could not wait for the console's replies"))
          .finally(() => this.resolveScriptDone());
      });
    }
    this.closers.push(
      startOutboxWorker({
        adapter,
        queues: s.queues,
        redis: s.redis,
        prefix: s.prefix,
        log: s.log,
        locks: s.config.jobs,
      }),
    );
  }

  /** Handles one message; in scripting mode, also waits for the jobs it started and their replies. */
  private async handle(msg: InboundMessage, waitForJobs: boolean): Promise<HandleResult> {
    const s = this.services;
    const r = await this.router.handle(msg);
    this.web?.metrics.command(msg.text, msg.addressed, r.outcome);
    if (!waitForJobs) return r;
    try {
      for (const id of r.jobs) await s.events.finished(id, s.jobs);
      await s.outbox.drained(msg.network, this.halt.signal);
    } catch (e) {
      // The bot is stopping under a script: its connections close; what was asked stays queued.
      if (!this.halt.signal.aborted) throw e;
    }
    return r;
  }

  /** At a forced exit (no time to stop gracefully): let go of what outlives the process. */
  abandon(): void {
    this.privateRedis?.abandon();
  }

  private running(): Running {
    const { adapters, workers, closers, services, redis, privateRedis } = this;
    return { adapters, workers, closers, services, redis, privateRedis };
  }

  /** Graceful: stop taking input and jobs, let running jobs finish (or release them), close connections. */
  stop(graceMs = this.opts.config.jobs.shutdownGraceMs): Promise<void> {
    this.halt.abort();
    this.stopping ??= stopInOrder(() => this.running(), graceMs, this.opts.log);
    return this.stopping;
  }
}
