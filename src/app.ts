import type { Redis } from "ioredis";
import { Announcer, startWebhookWorker } from "./announce/announcer.js";
import { ANNOUNCE_QUEUE } from "./announce/delayed.js";
import { startAnnounceWorker } from "./announce/deliver.js";
import { downtimeHooks } from "./announce/lifecycle.js";
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
import { startRunbookScheduler } from "./domain/runbook/tick.js";
import type { Services } from "./domain/services.js";
import { publishTopic } from "./domain/topic-publish.js";
import { TopicStore } from "./domain/topic-store.js";
import { createExecutor } from "./exec/dispatch.js";
import { AuditLog } from "./infra/audit.js";
import { JobEvents } from "./infra/events.js";
import { JobStore } from "./infra/job-store.js";
import { Outbox, startOutboxWorker } from "./infra/outbox.js";
import { type PrivateRedis, startPrivateRedis } from "./infra/private-redis.js";
import { outboxQueueName, Queues, WEBHOOK_QUEUE, WORK_QUEUE } from "./infra/queues.js";
import { reclaimFromDead } from "./infra/reclaim.js";
import { connectRedis, describeRedis, type RedisTarget } from "./infra/redis.js";
import { checkRedisSettings } from "./infra/redis-checks.js";
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

interface Closable {
  close(): Promise<void>;
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
    let url: RedisTarget | undefined = this.opts.redisUrl ?? config.redis ?? env.REDIS_URL;
    if (!url) {
      this.privateRedis = await startPrivateRedis(config.dataDir, log);
      url = this.privateRedis.url;
    }
    try {
      this.redis = await connectRedis(url, log);
      await checkRedisSettings(this.redis, url, log);
    } catch (e) {
      this.redis?.disconnect();
      await this.privateRedis?.stop();
      throw e;
    }
    log.info({ redis: describeRedis(url), role: this.role }, "changebot starting");
    const clock = this.opts.clock ?? systemClock;
    const prefix = config.keyPrefix;
    const queues = new Queues({ redisUrl: url, prefix });
    const frontend = this.role !== "worker";
    this.adapters = frontend ? (this.opts.adapters ?? (await createAdapters(config, log))) : [];
    const networks = new Set<string>([
      ...Object.entries(config.networks)
        .filter(([, v]) => v)
        .map(([k]) => k),
      ...this.adapters.map((a) => a.network),
    ]);
    const outbox = new Outbox(queues, networks, log);
    const events = new JobEvents(this.redis, `${prefix}:events`);
    this.services = {
      config,
      log,
      clock,
      redis: this.redis,
      prefix,
      queues,
      jobs: new JobStore(this.redis, prefix, clock, config.jobs.logCapBytes),
      events,
      audit: new AuditLog(this.redis, prefix, clock),
      outbox,
      topics: new TopicStore(this.redis, prefix),
      announcer: new Announcer(outbox, queues, config.announce, clock),
      exec: createExecutor(config, log, clock, env),
    };
    const handlers = this.opts.handlers ?? buildHandlers(this.kinds);
    const cmdDeps = { services: this.services, commands, handlers };
    this.router = new Router({
      config,
      log,
      outbox,
      commands,
      middleware: defaultMiddleware({
        prefix: config.prefix,
        seen: new RedisSeen(this.redis, prefix),
        redelivers: (n) => this.adapters.find((a) => a.network === n)?.redelivers !== false,
        audit: this.services.audit,
        outbox,
      }),
      context: (msg, found, args, jobs) =>
        commandContext(cmdDeps, msg, { args, words: found.words, roles: found.roles }, jobs),
    });
    if (this.role !== "frontend") {
      this.workers = startWorkers(this.services, handlers);
      this.closers.push(startWebhookWorker(queues, config.webhookSecret, log, clock, config.jobs));
      this.closers.push(startAnnounceWorker(this.services, downtimeHooks(this.services)));
      this.closers.push(startRunbookScheduler(this.services, this.kinds));
    }
    for (const adapter of this.adapters) this.wire(adapter);
    const mine = this.adapters.map((a) => outboxQueueName(a.network));
    if (this.role !== "frontend") mine.push(WORK_QUEUE, ANNOUNCE_QUEUE, WEBHOOK_QUEUE);
    reclaimFromDead(queues, this.redis, mine, log).catch((e) =>
      log.warn({ err: (e as Error).message }, "could not look for jobs of a process that died"),
    );
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
    adapter.onConnected?.(() => void this.restoreTopics(adapter));
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

  /** After a reconnect, put back bot-managed topic segments the channel lost (e.g. the server restarted). */
  private async restoreTopics(adapter: ChatAdapter): Promise<void> {
    const s = this.services;
    for (const channel of adapter.channels()) {
      try {
        const live = (await adapter.getTopic(channel)) ?? "";
        const missing = await s.topics.observe(adapter.network, channel, live);
        if (missing.length) {
          s.log.info(
            { network: adapter.network, channel, missing: missing.map((m) => m.text) },
            "restoring topic segments",
          );
          await publishTopic(s, adapter.network, channel, await s.topics.get(adapter.network, channel));
        }
      } catch (e) {
        s.log.warn({ err: (e as Error).message, channel }, "could not check the topic after connecting");
      }
    }
  }

  /** At a forced exit (no time to stop gracefully): let go of what outlives the process. */
  abandon(): void {
    this.privateRedis?.abandon();
  }

  /** Graceful: stop taking input and jobs, let running jobs finish (or release them), close connections. */
  stop(graceMs = this.opts.config.jobs.shutdownGraceMs): Promise<void> {
    this.halt.abort();
    this.stopping ??= (async () => {
      const log = this.opts.log;
      for (const a of this.adapters)
        await a.stop().catch((e) => log.warn({ err: (e as Error).message }, "adapter stop failed"));
      await this.workers?.close(graceMs);
      for (const c of this.closers.reverse()) await c.close().catch(() => {});
      await this.services?.exec.close?.().catch(() => {});
      await this.services?.events.close();
      await this.services?.queues.close();
      this.redis?.disconnect();
      await this.privateRedis?.stop();
      log.info("changebot stopped");
    })();
    return this.stopping;
  }
}
