import { randomUUID } from "node:crypto";
import { WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { isUserError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { ChatAdapter, OutboundMessage } from "../core/messages.js";
import { toChannel } from "../core/outbound.js";
import { fitTopic } from "../core/topic-fit.js";
import { Lane, type LocalOutbox, localOutbox } from "./outbox-lane.js";
import { outboxQueueName, type Queues, workerOptions } from "./queues.js";
import { redisTrouble } from "./redis-trouble.js";

/**
 * How long the backup of a message sent directly waits before a worker would
 * post it: only a process killed while sending leaves one behind.
 */
const BACKUP_DELAY_MS = 60_000;

const keep = { removeOnComplete: { count: 500 }, removeOnFail: { count: 500 } };

/**
 * Everything the bot says goes through here: one durable FIFO queue per network,
 * drained by the process that owns that network's adapter. While the network is
 * down, messages wait in Redis and are delivered in order once it is back.
 *
 * The direct path: when this process owns the network's adapter, it is
 * connected and nothing this process queued is still waiting, a plain message
 * (no id, thread or ref to look up) is handed to the adapter at once, without
 * the two Redis round trips of a queue hand-off, while a delayed backup job is
 * written beside it; the backup is removed once the message is out, and posted
 * by the next process if this one dies first (at least once, as before).
 */
export class Outbox {
  private readonly local: LocalOutbox;
  /** Direct sends not yet out, per network. */
  private readonly direct = new Map<string, Set<Promise<unknown>>>();

  constructor(
    private readonly queues: Queues,
    private readonly networks: ReadonlySet<string>,
    private readonly log: Logger,
  ) {
    this.local = localOutbox(queues);
  }

  private get mine(): Map<string, Set<string>> {
    return this.local.mine;
  }

  /** The lane to send on directly, if this message may skip the queue now. */
  private directLane(msg: OutboundMessage, jobId?: string): Lane | undefined {
    if (jobId || msg.kind === "topic" || msg.threadOf || msg.replaces || msg.ref) return undefined;
    const lane = this.local.lanes.get(msg.network);
    if (!lane?.idle || this.local.queued.get(msg.network)?.size || !lane.adapter.isConnected())
      return undefined;
    return lane;
  }

  private sendDirect(lane: Lane, msg: OutboundMessage): Promise<void> {
    const queue = this.queues.get(outboxQueueName(msg.network));
    const backup = queue.add(msg.kind, msg, { delay: BACKUP_DELAY_MS, ...keep });
    const sent = lane.run(async () => {
      const result = await lane.deliver(msg);
      // Recorded before the lane is free: a backup that came due meanwhile waits for the lane.
      const job = await backup.catch(() => undefined);
      if (result === "delivered" && job?.id) lane.sentDirectly.add(job.id);
      return { result, job };
    });
    const settled = (async () => {
      const { result, job } = await sent;
      if (!job?.id) return;
      if (result === "delivered") {
        // Already taken by a worker (it came due): that worker completes it without sending.
        if (
          await job.remove().then(
            () => true,
            () => false,
          )
        )
          lane.sentDirectly.delete(job.id);
      } else {
        await job.promote().catch(() => {}); // stopping: the next process posts it now, not in a minute
      }
    })().catch((e) => this.log.warn({ err: (e as Error).message }, "outbox: backup of a direct send"));
    const set = this.direct.get(msg.network) ?? new Set();
    set.add(settled);
    this.direct.set(msg.network, set);
    void settled.finally(() => set.delete(settled));
    // Resolves once the message is durable (the backup is written), as a queued one does.
    return backup.then(() => {});
  }

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
    const lane = this.directLane(msg, jobId);
    if (lane) return this.sendDirect(lane, msg);
    let plain: string | undefined;
    const queued = this.local.queued.get(msg.network) ?? new Set();
    this.local.queued.set(msg.network, queued);
    if (!jobId) {
      plain = `m-${randomUUID()}`;
      // Tracked only where this process drains the network itself (elsewhere nothing would clear it).
      if (this.local.lanes.has(msg.network)) queued.add(plain);
    }
    const job = await this.queues
      .get(outboxQueueName(msg.network))
      .add(msg.kind, msg, {
        jobId: jobId ?? plain,
        deduplication: jobId && dedupeMs ? { id: jobId, ttl: dedupeMs } : undefined,
        ...keep,
      })
      .catch((e) => {
        if (plain) queued.delete(plain);
        throw e;
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
    while (!signal?.aborted && this.direct.get(network)?.size)
      await Promise.all([...this.direct.get(network)!]);
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

  /** Holds a message (and the lane behind it, keeping order) until it is delivered or the worker stops. */
  const untilDelivered = async (msg: OutboundMessage): Promise<"delivered" | "stopped"> => {
    for (let attempt = 0; ; attempt++) {
      if (stop.signal.aborted) return "stopped";
      if (!adapter.isConnected()) {
        await adapter.waitConnected(stop.signal).catch((e) => {
          if (!stop.signal.aborted) throw e;
        });
        if (stop.signal.aborted) return "stopped";
      }
      try {
        await deliver(msg);
        return "delivered";
      } catch (e) {
        if (stop.signal.aborted) return "stopped";
        log.warn(
          { network: adapter.network, err: (e as Error).message, attempt },
          "delivery failed; will retry",
        );
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5000)));
      }
    }
  };
  const lane = new Lane(adapter, untilDelivered);
  const local = localOutbox(deps.queues);
  local.lanes.set(adapter.network, lane);

  const worker = new Worker(
    outboxQueueName(adapter.network),
    async (job, token) => {
      const msg = job.data as OutboundMessage;
      const id = job.id ?? "";
      const result = await lane
        .run(async () => {
          // A backup whose message already went out directly (it came due while that send waited).
          if (lane.sentDirectly.delete(id)) return "delivered";
          return untilDelivered(msg);
        })
        .finally(() => local.queued.get(adapter.network)?.delete(id));
      if (result === "stopped") {
        // Stopping: the message goes back to the queue (not failed), for whichever process drains it next.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      local.mine.get(adapter.network)?.delete(id);
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
      if (local.lanes.get(adapter.network) === lane) local.lanes.delete(adapter.network);
      await worker.close();
    },
  };
}
