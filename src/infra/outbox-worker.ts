import { WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { isUserError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { ChatAdapter, OutboundMessage } from "../core/messages.js";
import { toChannel } from "../core/outbound.js";
import { cutNote, fitTopic } from "../core/topic-fit.js";
import { type Delivery, Lane, localOutbox, plainMessage } from "./outbox-lane.js";
import { outboxQueueName, type Queues } from "./queues.js";
import { redisTrouble } from "./redis-trouble.js";

export interface OutboxWorkerDeps {
  adapter: ChatAdapter;
  queues: Queues;
  redis: Redis;
  prefix: string;
  log: Logger;
  /**
   * The message a process was delivering when it died is delivered again once its
   * lock runs out and a stalled check sees it (config jobs.lockMs, jobs.stalledCheckMs,
   * as for jobs); BullMQ's own defaults would leave it for up to a minute.
   */
  locks?: { lockMs: number; stalledCheckMs: number };
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
          await tell(cutNote(cut, max));
        }
      } catch (e) {
        if (!isUserError(e)) throw e;
        log.warn({ network: adapter.network, channel: msg.target, reason: e.message }, "topic not set");
        await tell(e.message);
      }
      return;
    }
    const plain = plainMessage(adapter, msg);
    if (plain) {
      await adapter.send(plain);
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
  const untilDelivered = async (msg: OutboundMessage): Promise<Delivery> => {
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
  const lane = new Lane(adapter, untilDelivered, stop.signal);
  const local = localOutbox(deps.queues);
  local.lanes.set(adapter.network, lane);

  const worker = new Worker(
    outboxQueueName(adapter.network),
    async (job, token) => {
      const msg = job.data as OutboundMessage;
      const id = job.id ?? "";
      const result = await lane
        .run(async (): Promise<Delivery> => {
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
    deps.queues.workerOptions({
      concurrency: 1,
      ...(deps.locks ? { lockDuration: deps.locks.lockMs, stalledInterval: deps.locks.stalledCheckMs } : {}),
      // A delivery waiting for a reconnect holds its job; a stall must not drop it.
      maxStalledCount: 1000,
    }),
  );
  worker.on("error", (e) => redisTrouble(log).report(`outbox ${adapter.network}`, e));
  return {
    close: async () => {
      if (local.lanes.get(adapter.network) === lane) local.lanes.delete(adapter.network);
      stop.abort();
      // A direct send still under way may never finish now: its backup is due at once, for the
      // next process (at least once; it may have gone out already).
      await Promise.all([...lane.unconfirmed].map((b) => b.then((job) => job?.promote()).catch(() => {})));
      await worker.close();
    },
  };
}
