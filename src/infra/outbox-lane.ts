import type { ChatAdapter, OutboundMessage } from "../core/messages.js";
import type { Queues } from "./queues.js";

/**
 * One network's delivery slot in the process that owns its adapter. The outbox
 * worker and the direct path (Outbox.send) take turns through it, so the lines
 * of two messages never interleave and a message never overtakes one queued
 * before it in this process.
 */
export class Lane {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;
  /** Backup jobs whose message went out directly: the worker completes them without sending. */
  readonly sentDirectly = new Set<string>();

  constructor(
    readonly adapter: ChatAdapter,
    /** Delivers a message, retrying until it is out ("delivered") or the worker stops ("stopped"). */
    readonly deliver: (msg: OutboundMessage) => Promise<"delivered" | "stopped">,
  ) {}

  get idle(): boolean {
    return this.holders === 0;
  }

  /** Runs fn after everything that took the lane before it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.holders++;
    const p = this.tail.then(fn).finally(() => {
      this.holders--;
    });
    this.tail = p.catch(() => {});
    return p;
  }
}

/** What the outbox and its workers in one process share, per Queues (per bot). */
export interface LocalOutbox {
  lanes: Map<string, Lane>;
  /** Messages this process queued and has not yet seen delivered, per network. */
  mine: Map<string, Set<string>>;
  /**
   * Plain messages (no id of their own) this process queued and its worker has
   * not delivered yet, per network: while there are any, nothing skips the queue.
   * Their ids are chosen before they are queued, so a delivery can never come first.
   */
  queued: Map<string, Set<string>>;
}

const shared = new WeakMap<Queues, LocalOutbox>();

export function localOutbox(queues: Queues): LocalOutbox {
  let s = shared.get(queues);
  if (!s) {
    s = { lanes: new Map(), mine: new Map(), queued: new Map() };
    shared.set(queues, s);
  }
  return s;
}
