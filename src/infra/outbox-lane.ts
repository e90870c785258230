import { setMaxListeners } from "node:events";
import type { Job } from "bullmq";
import type { ChatAdapter, OutboundMessage } from "../core/messages.js";
import type { Queues } from "./queues.js";

export type Delivery = "delivered" | "stopped";

/**
 * The message as it goes to `adapter` with no Redis round trip, or undefined
 * when it needs one: on a network with threads (ChatAdapter.threads), a ref to
 * keep or a threadOf/replaces to look up. Where the network has no threads those
 * ids mean nothing and are left out. The one decision behind both the direct
 * path's eligibility (Outbox.send) and the worker's delivery.
 */
export function plainMessage(
  adapter: Pick<ChatAdapter, "threads">,
  msg: OutboundMessage,
): OutboundMessage | undefined {
  const { ref, threadOf, replaces, ...plain } = msg;
  if (adapter.threads === false) return plain;
  return ref || threadOf || replaces ? undefined : { ...msg };
}

/**
 * One network's delivery slot in the process that owns its adapter. The outbox
 * worker and the direct path (Outbox.send) take turns through it, so the lines
 * of two messages never interleave and a message never overtakes one queued
 * before it in this process.
 */
export class Lane {
  private tail: Promise<void> = Promise.resolve();
  /** Turns taken and not yet freed (0: the lane is free, nobody to wait for). */
  private taken = 0;
  /** Backup jobs whose message went out directly: the worker completes them without sending. */
  readonly sentDirectly = new Set<string>();
  /** Backups of direct sends whose message is not known to be out yet. */
  readonly unconfirmed = new Set<Promise<Job | undefined>>();

  constructor(
    readonly adapter: ChatAdapter,
    /** Delivers a message, retrying until it is out ("delivered") or the worker stops ("stopped"). */
    readonly deliver: (msg: OutboundMessage) => Promise<Delivery>,
    /** Aborted when the worker stops: whoever still waits for a turn gives up ("stopped"). */
    readonly stopped: AbortSignal,
  ) {
    // Each message waiting for its turn listens for the stop until its turn comes: a burst of
    // replies is many listeners at once, not a leak (Node would warn past 10).
    setMaxListeners(0, stopped);
  }

  /**
   * Runs fn after everything that took the lane before it, or gives up with
   * "stopped" if the worker stops first (those after it still wait for the
   * ones before it, so two messages never interleave). On a free lane fn starts
   * in this call: an answer's first line waits for no promise turns.
   */
  run<T>(fn: () => Promise<T>): Promise<T | "stopped"> {
    const prev = this.tail;
    let free!: () => void;
    this.tail = new Promise<void>((r) => {
      free = () => {
        this.taken--;
        r();
      };
    });
    const signal = this.stopped;
    if (this.taken++ === 0 && !signal.aborted) return this.turn(fn, free);
    const turn = new Promise<boolean>((res) => {
      if (signal.aborted) return res(false);
      const onAbort = () => res(false);
      signal.addEventListener("abort", onAbort, { once: true });
      void prev.then(() => {
        signal.removeEventListener("abort", onAbort);
        res(true);
      });
    });
    return turn.then((mine): Promise<T | "stopped"> => {
      if (!mine) {
        void prev.then(free);
        return Promise.resolve("stopped");
      }
      return this.turn(fn, free);
    });
  }

  private async turn<T>(fn: () => Promise<T>, free: () => void): Promise<T> {
    try {
      return await fn();
    } finally {
      free();
    }
  }
}

/** What the outbox and its workers in one process share, per Queues (per bot). */
export interface LocalOutbox {
  lanes: Map<string, Lane>;
  /** Messages this process queued and has not yet seen delivered, per network. */
  mine: Map<string, Set<string>>;
  /**
   * Messages this process queued where its own worker drains them, not yet
   * taken out by that worker, per network: while there are any, nothing skips
   * the queue. Their ids are chosen before they are queued, so a delivery can
   * never come first.
   */
  queued: Map<string, Set<string>>;
  /** Of those, the ones whose add has not returned yet (their state in Redis means nothing yet). */
  adding: Set<string>;
}

const shared = new WeakMap<Queues, LocalOutbox>();

export function localOutbox(queues: Queues): LocalOutbox {
  let s = shared.get(queues);
  if (!s) {
    s = { lanes: new Map(), mine: new Map(), queued: new Map(), adding: new Set() };
    shared.set(queues, s);
  }
  return s;
}
