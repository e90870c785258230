import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { JobEvent } from "../infra/events.js";

/**
 * What makes live pages look again: every job state change (the JobEvents
 * channel, heard on a connection of our own) and a steady tick for changes no
 * job announces (an ack, a confirm, a downtime moved). Listeners get "job"
 * (id, state, the whole JobEvent) and "tick" events.
 */
export class LiveHub extends EventEmitter {
  private sub?: Redis;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    private readonly tickMs: number,
  ) {
    super();
    this.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const sub = this.redis.duplicate();
    this.sub = sub;
    sub.on("error", () => {});
    sub.on("message", (_ch: string, payload: string) => {
      try {
        const e = JSON.parse(payload) as JobEvent;
        this.emit("job", e.id, e.state, e);
      } catch {
        /* not ours */
      }
    });
    await sub.subscribe(this.channel);
    this.timer = setInterval(() => this.emit("tick"), this.tickMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.sub?.disconnect();
    this.removeAllListeners();
  }
}
