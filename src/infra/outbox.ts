import { randomUUID } from "node:crypto";
import type { Job } from "bullmq";
import type { Logger } from "../core/log.js";
import type { OutboundMessage } from "../core/messages.js";
import { type Lane, type LocalOutbox, localOutbox, plainMessage } from "./outbox-lane.js";
import { outboxQueueName, type Queues } from "./queues.js";

export { type OutboxWorkerDeps, startOutboxWorker } from "./outbox-worker.js";

/**
 * How long the backup of a message sent directly waits before a worker would
 * post it: only a process that dies while sending leaves one behind.
 */
const BACKUP_DELAY_MS = 60_000;

const keep = { removeOnComplete: { count: 500 }, removeOnFail: { count: 500 } };

/**
 * Everything the bot says goes through here: one durable FIFO queue per network,
 * drained by the process that owns that network's adapter. While the network is
 * down, messages wait in Redis and are delivered in order once it is back.
 *
 * The direct path: when this process owns the network's adapter, it is
 * connected and nothing this process queued is still waiting (earlier direct
 * sends may be: the lane keeps them in order), a plain message
 * (no id; no thread or ref to look up, or a network without threads:
 * ChatAdapter.threads) is handed to the adapter at once, without
 * the two Redis round trips of a queue hand-off, while a delayed backup job is
 * written beside it unless the message is out before its turn comes; the backup
 * is removed once the message is out, and posted by the next process if this one
 * stops or dies first (at least once, as before).
 */
export class Outbox {
  private readonly local: LocalOutbox;
  /** Direct sends not yet settled (backup removed or promoted), per network. */
  private readonly direct = new Map<string, Set<Promise<unknown>>>();
  private pruning = false;

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
    if (jobId || msg.kind === "topic") return undefined;
    const lane = this.local.lanes.get(msg.network);
    // A lane busy with earlier sends is fine: its turns keep their order.
    if (!lane || lane.stopped.aborted || !lane.adapter.isConnected()) return undefined;
    // Ids to keep or look up need Redis (the worker's delivery makes the same decision).
    if (!plainMessage(lane.adapter, msg)) return undefined;
    const queued = this.local.queued.get(msg.network);
    if (queued?.size) {
      this.prune(msg.network, queued);
      return undefined;
    }
    return lane;
  }

  /**
   * A message queued with an id already taken (an announcement sent twice) is
   * never taken out by the worker: forget those, so they do not hold every later
   * reply in the queue. Only ids whose add has returned are asked about.
   */
  private prune(network: string, queued: Set<string>): void {
    if (this.pruning) return;
    this.pruning = true;
    const queue = this.queues.get(outboxQueueName(network));
    void (async () => {
      for (const id of [...queued]) {
        if (this.local.adding.has(id)) continue;
        const state = await queue.getJobState(id);
        if (state === "completed" || state === "failed" || state === "unknown") queued.delete(id);
      }
    })()
      .catch(() => {})
      .finally(() => {
        this.pruning = false;
      });
  }

  private sendDirect(lane: Lane, msg: OutboundMessage): Promise<void> {
    const queue = this.queues.get(outboxQueueName(msg.network));
    // The backup's id is chosen here, so the lane can record the message as sent the moment it
    // is out, without waiting for the backup's write: the next reply's turn does not wait on Redis.
    const id = `d-${randomUUID()}`;
    let out = false;
    // Written once the message is on its way: the send below reaches the adapter in
    // microtasks, before this macrotask; the add's own work does not delay the line. A
    // message already out by then (a short reply, nothing to wait for) needs no backup:
    // none is written, and Redis hears nothing of it.
    const backup: Promise<Job | "out" | undefined> = new Promise<void>((r) => setImmediate(r))
      .then<Job | "out">(() =>
        out ? "out" : queue.add(msg.kind, msg, { jobId: id, delay: BACKUP_DELAY_MS, ...keep }),
      )
      .catch(() => undefined);
    const written = backup.then((b) => (b === "out" ? undefined : b));
    lane.unconfirmed.add(written);
    let delivered!: () => void;
    const isOut = new Promise<void>((r) => {
      delivered = r;
    });
    const settled = (async () => {
      const result = await lane.run(async () => {
        const r = await lane.deliver(msg);
        // Recorded before the lane is free: a backup that came due meanwhile waits for the lane.
        if (r === "delivered") {
          out = true;
          lane.sentDirectly.add(id);
          delivered();
        }
        return r;
      });
      const job = await written;
      if (!job?.id) {
        lane.sentDirectly.delete(id);
        lane.unconfirmed.delete(written);
        return;
      }
      if (result === "delivered") {
        lane.unconfirmed.delete(written);
        // Refused while a worker holds it (it came due): that worker completes it without sending.
        const removed = await job.remove().then(
          () => true,
          () => false,
        );
        if (removed) lane.sentDirectly.delete(id);
      } else {
        await job.promote().catch(() => {}); // stopping: the next process posts it now, not in a minute
        lane.unconfirmed.delete(written);
      }
    })().catch((e) => this.log.warn({ err: (e as Error).message }, "outbox: backup of a direct send"));
    this.track(msg.network, settled);
    // Resolves once the message is durable (out, or its backup written), as a queued one does.
    // Out first (a short reply on a free lane): at once, so the command's next message follows
    // it in the same turn of the event loop instead of after the backup's check.
    return Promise.race([
      isOut,
      backup.then((job) => {
        if (!job) throw new Error("outbox: could not write the backup of a direct send");
      }),
    ]);
  }

  /**
   * For a sender that keeps the message durable itself until this resolves and
   * sends it again after a crash (a due announcement: its job and its marker):
   * hands it straight to this process's connected adapter when the direct path
   * is open, with no outbox job and no backup. True once it is out; false when
   * it was not sent (not this process's network, not connected, earlier queued
   * messages still waiting, or stopping), and the sender queues it instead.
   */
  async sendNow(msg: OutboundMessage): Promise<boolean> {
    if (!this.networks.has(msg.network)) return false;
    const lane = this.directLane(msg);
    if (!lane) return false;
    const sent = lane.run(() => lane.deliver(msg)).then((r) => r === "delivered");
    this.track(msg.network, sent);
    return sent;
  }

  /** Counts a direct send as unsettled on its network until it settles (what drained() waits for). */
  private track(network: string, p: Promise<unknown>): void {
    const set = this.direct.get(network) ?? new Set();
    set.add(p);
    this.direct.set(network, set);
    void p.finally(() => set.delete(p)).catch(() => {});
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
    const id = jobId ?? `m-${randomUUID()}`;
    const queued = this.local.queued.get(msg.network) ?? new Set();
    this.local.queued.set(msg.network, queued);
    // Tracked only where this process drains the network itself (elsewhere nothing would clear it).
    const tracked = this.local.lanes.has(msg.network);
    if (tracked) {
      queued.add(id);
      this.local.adding.add(id);
    }
    try {
      const job = await this.queues.get(outboxQueueName(msg.network)).add(msg.kind, msg, {
        jobId: id,
        deduplication: jobId && dedupeMs ? { id: jobId, ttl: dedupeMs } : undefined,
        ...keep,
      });
      if (job.id) {
        const set = this.mine.get(msg.network) ?? new Set();
        set.add(job.id);
        this.mine.set(msg.network, set);
      }
    } catch (e) {
      if (tracked) queued.delete(id);
      throw e;
    } finally {
      if (tracked) this.local.adding.delete(id);
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
