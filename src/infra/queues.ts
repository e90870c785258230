import { type ConnectionOptions, Queue, type QueueOptions, type WorkerOptions } from "bullmq";
import { Redis } from "ioredis";
import { PROCESS_NAME } from "./process-name.js";
import { type RedisTarget, redisOptions } from "./redis-target.js";

/** Where BullMQ's queues live, shared by every process of one bot (front ends and workers). */
export interface QueueEnv {
  /** A redis:// URL or a Sentinel target (the field keeps its old name). */
  redisUrl: RedisTarget;
  /** The bot's key prefix; BullMQ keys go under `<prefix>:bull`. */
  prefix: string;
}

export const WORK_QUEUE = "work";
export const outboxQueueName = (network: string) => `outbox-${network}`;
export const WEBHOOK_QUEUE = "webhook";

export function queueOptions(env: QueueEnv): QueueOptions {
  return { connection: redisOptions(env.redisUrl) as ConnectionOptions, prefix: `${env.prefix}:bull` };
}

/**
 * Lazily opened queues, one per name, closed together. They share one Redis
 * connection, and so do the workers started with workerOptions() for their
 * ordinary commands (each worker still has its own blocking connection, which
 * BullMQ duplicates from it): an idle process holds one connection and one copy
 * of BullMQ's scripts, not one per queue and per worker.
 */
export class Queues {
  private readonly open = new Map<string, Queue>();
  private conn?: Redis;
  constructor(readonly env: QueueEnv) {}

  /** The connection the queues and the workers' ordinary commands share, opened at first use. */
  connection(): Redis {
    if (!this.conn) {
      this.conn = new Redis({ ...redisOptions(this.env.redisUrl), connectionName: "changebot-queues" });
      this.conn.on("error", () => {
        /* reported by the main connection's logger; ioredis reconnects */
      });
    }
    return this.conn;
  }

  get(name: string): Queue {
    let q = this.open.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection(), prefix: `${this.env.prefix}:bull` });
      q.on("error", () => {
        /* reported by the main connection's logger; BullMQ reconnects */
      });
      this.open.set(name, q);
    }
    return q;
  }

  /** A worker's options on the shared connection (close the workers before the queues). */
  workerOptions(extra: Partial<WorkerOptions> = {}): WorkerOptions {
    return {
      connection: this.connection(),
      prefix: `${this.env.prefix}:bull`,
      // On every job it takes, so a later process of this host can tell it died (reclaim.ts).
      name: PROCESS_NAME,
      ...extra,
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open.values()].map((q) => q.close()));
    this.open.clear();
    const c = this.conn;
    this.conn = undefined;
    if (c) await c.quit().catch(() => c.disconnect());
  }
}
