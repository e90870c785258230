import type { Redis } from "ioredis";
import type { Announcer } from "../announce/announcer.js";
import type { Config } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { Executor } from "../exec/executor.js";
import type { AuditLog } from "../infra/audit.js";
import type { JobEvents } from "../infra/events.js";
import type { JobStore } from "../infra/job-store.js";
import type { Outbox } from "../infra/outbox.js";
import type { Queues } from "../infra/queues.js";
import type { TopicStore } from "./topic-store.js";

/** What every command, job handler and scheduler is given: one bag, built once in src/app.ts. */
export interface Services {
  config: Config;
  log: Logger;
  clock: Clock;
  redis: Redis;
  /** Prefix of every Redis key the bot writes. */
  prefix: string;
  queues: Queues;
  jobs: JobStore;
  events: JobEvents;
  audit: AuditLog;
  outbox: Outbox;
  topics: TopicStore;
  announcer: Announcer;
  /** Runs a step's command: `host` undefined or "local" → the bot's own host, else SSH to that `hosts:` entry. */
  exec: Executor;
  /**
   * Set only on the services a rehearsal's steps are given (runbook/rehearsal.ts):
   * the run's key and channel. Whatever would change the world refuses then
   * (rehearsal-guard.ts): topics, RC mode, downtimes.
   */
  rehearsal?: RehearsalMark;
}

/** Which rehearsal run the services belong to, and the one channel it may speak in. */
export interface RehearsalMark {
  run: string;
  network: string;
  channel: string;
  threadId?: string;
}
