import { type ConnectionOptions, Queue, type QueueOptions, type WorkerOptions } from "bullmq";
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

export function workerOptions(env: QueueEnv, extra: Partial<WorkerOptions> = {}): WorkerOptions {
  return {
    connection: redisOptions(env.redisUrl) as ConnectionOptions,
    prefix: `${env.prefix}:bull`,
    // On every job it takes, so a later process of this host can tell it died (reclaim.ts).
    name: PROCESS_NAME,
    ...extra,
  };
}

/** Lazily opened queues, one per name, closed together. */
export class Queues {
  private readonly open = new Map<string, Queue>();
  constructor(readonly env: QueueEnv) {}

  get(name: string): Queue {
    let q = this.open.get(name);
    if (!q) {
      q = new Queue(name, queueOptions(this.env));
      q.on("error", () => {
        /* reported by the main connection's logger; BullMQ reconnects */
      });
      this.open.set(name, q);
    }
    return q;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open.values()].map((q) => q.close()));
    this.open.clear();
  }
}
