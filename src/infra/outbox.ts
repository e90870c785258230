import { WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { isUserError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { ChatAdapter, OutboundMessage } from "../core/messages.js";
import { toChannel } from "../core/outbound.js";
import { fitTopic } from "../core/topic-fit.js";
import { outboxQueueName, type Queues, workerOptions } from "./queues.js";
import { redisTrouble } from "./redis-trouble.js";

/**
 * Everything the bot says goes through here: one durable FIFO queue per network,
 * drained by the process that owns that network's adapter. While the network is
 * down, messages wait in Redis and are delivered in order once it is back.
 */
export class Outbox {
  /** Messages this process queued and has not yet seen delivered, per network. */
  private readonly mine = new Map<string, Set<string>>();

  constructor(
    private readonly queues: Queues,
    private readonly networks: ReadonlySet<string>,
    private readonly log: Logger,
  ) {}

  /**
   * Queues a message; with a jobId, a second send of the same id is ignored (exactly once).
   * With dedupeMs too, the id stays taken that long even after delivery (announcements).
   */
  async send(msg: OutboundMessage, jobId?: string, dedupeMs?: number): Promise<void> {
    if (!this.networks.has(msg.network)) {
      this.log.warn(
        { network: msg.network, target: msg.target },
        "message for a network that is not configured; dropped",
      );
      return;
    }
    const job = await this.queues.get(outboxQueueName(msg.network)).add(msg.kind, msg, {
      jobId,
      deduplication: jobId && dedupeMs ? { id: jobId, ttl: dedupeMs } : undefined,
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 500 },
    });
    if (job.id) {
      const set = this.mine.get(msg.network) ?? new Set();
      set.add(job.id);
      this.mine.set(msg.network, set);
    }
  }

  /** Messages not yet delivered on a network (all processes). */
  async pending(network: string): Promise<number> {
    const c = await this.queues
      .get(outboxQueueName(network))
      .getJobCounts("wait", "active", "delayed", "prioritized");
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  /** Resolves once every message this process queued on a network has been delivered (or given up). */
  async drained(network: string, signal?: AbortSignal): Promise<void> {
    const set = this.mine.get(network);
    if (!set) return;
    const queue = this.queues.get(outboxQueueName(network));
    while (!signal?.aborted && set.size) {
      for (const id of [...set]) {
        const state = await queue.getJobState(id);
        if (state === "completed" || state === "failed" || state === "unknown") set.delete(id);
      }
      if (set.size) await new Promise((r) => setTimeout(r, 10));
    }
  }

  get networkNames(): string[] {
    return [...this.networks];
  }
}

export interface OutboxWorkerDeps {
  adapter: ChatAdapter;
  queues: Queues;
  redis: Redis;
  prefix: string;
  log: Logger;
}

/** Drains one network's outbox into its adapter, one message at a time, in order. */
export function startOutboxWorker(deps: OutboxWorkerDeps): { close(): Promise<void> } {
  const { adapter, redis, prefix, log } = deps;
  const stop = new AbortController();
  const refKey = (ref: string) => `${prefix}:ref:${adapter.network}:${ref}`;

  const deliver = async (msg: OutboundMessage) => {
    if (msg.kind === "topic") {
      const tell = (text: string) =>
        adapter.send(toChannel(msg.network, msg.target, text, { kind: "alarm" }));
      try {
        const max = adapter.topicMaxLength;
        const { text, cut } = msg.topic
          ? fitTopic(msg.topic, max, adapter.measureTopic)
          : { text: msg.text, cut: [] };
        await adapter.setTopic(msg.target, text);
        if (cut.length) {
          await tell(
            `The topic is limited to ${max} characters here, so I shortened or left out: ${cut.map((c) => `"${c}"`).join(", ")}`,
          );
        }
      } catch (e) {
        if (!isUserError(e)) throw e;
        log.warn({ network: adapter.network, channel: msg.target, reason: e.message }, "topic not set");
        await tell(e.message);
      }
      return;
    }
    const out: OutboundMessage = { ...msg };
    if (msg.threadOf && !msg.threadId) out.threadId = (await redis.get(refKey(msg.threadOf))) ?? undefined;
    if (msg.replaces) {
      const id = await redis.get(refKey(msg.replaces));
      if (id) out.replaces = id;
      else delete out.replaces;
    }
    const sent = await adapter.send(out);
    if (msg.ref && sent.id) await redis.set(refKey(msg.ref), sent.id, "EX", 7 * 86400);
  };

  const worker = new Worker(
    outboxQueueName(adapter.network),
    async (job, token) => {
      const msg = job.data as OutboundMessage;
      // Stopping: the message goes back to the queue (not failed), for whichever process drains it next.
      const requeue = async (): Promise<never> => {
        await job.moveToWait(token);
        throw new WaitingError();
      };
      // Hold the message (and the queue behind it, keeping order) until it is delivered.
      for (let attempt = 0; ; attempt++) {
        if (stop.signal.aborted) return requeue();
        if (!adapter.isConnected()) {
          await adapter.waitConnected(stop.signal).catch((e) => {
            if (!stop.signal.aborted) throw e;
          });
          if (stop.signal.aborted) return requeue();
        }
        try {
          await deliver(msg);
          return;
        } catch (e) {
          if (stop.signal.aborted) return requeue();
          log.warn(
            { network: adapter.network, err: (e as Error).message, attempt },
            "delivery failed; will retry",
          );
          await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5000)));
        }
      }
    },
    workerOptions(
      { redisUrl: deps.queues.env.redisUrl, prefix: deps.queues.env.prefix },
      {
        concurrency: 1,
        // A delivery waiting for a reconnect holds its job; a stall must not drop it.
        maxStalledCount: 1000,
      },
    ),
  );
  worker.on("error", (e) => redisTrouble(log).report(`outbox ${adapter.network}`, e));
  return {
    close: async () => {
      stop.abort();
      await worker.close();
    },
  };
}
