import type { Clock } from "../../core/clock.js";
import type { IrcClient } from "./client.js";

/** Default: when our last answered PING was sent longer ago than this, the next line waits for a fresh one. */
export const DEFAULT_QUIET_MS = 5000;

/**
 * IRC acknowledges nothing: a line written into a connection that has
 * silently stalled waits in buffers and dies with the connection, while the
 * bot believes it was said. So before each line the sender asks here whether
 * the server has answered a PING of ours sent within the last `quietMs`; if
 * not, one PING goes out and the line waits for its PONG (the server has then
 * read everything written before it). A line written when the confirmation is
 * older than half of `quietMs` sends a PING beside it without waiting, so while
 * the bot keeps talking the confirmation stays fresh and no line waits. Only
 * our own PING's PONG counts, and it counts from when the PING was sent: a PONG
 * still in flight from before a stall proves nothing about what was written
 * after it. If the connection
 * closes first, the wait fails and the message is sent again after the
 * reconnect, from its first unwritten line.
 * What is at risk is only what was written in the `quietMs` before a stall
 * began: lost, never doubled.
 */
export class Liveness {
  /** When the PING was sent whose PONG came last: the server had read everything written before. */
  private confirmed: number;
  private pinging = false;
  private closed = false;
  private readonly waiters = new Set<{ res: () => void; rej: (e: Error) => void }>();

  constructor(
    private readonly clock: Clock,
    private readonly quietMs: number,
    private readonly ping: (token: string) => void,
  ) {
    this.confirmed = clock.now();
  }

  /** A PONG arrived; one answering our PING means everything written before that PING reached the server. */
  pong(message: string): void {
    const sent = /^changebot-alive-(\d+)$/.exec(message)?.[1];
    if (sent === undefined) return;
    this.confirmed = Math.max(this.confirmed, Number(sent));
    this.pinging = false;
    for (const w of this.waiters) w.res();
    this.waiters.clear();
  }

  /** The connection is gone: whoever waits gives up (the outbox retries after the reconnect). */
  close(): void {
    this.closed = true;
    for (const w of this.waiters) w.rej(new Error("irc: the connection closed while the server was silent"));
    this.waiters.clear();
  }

  /** Resolves when a line may be written: at once, or when the server has answered a PING. */
  ready(): Promise<void> {
    return this.wait() ?? Promise.resolve();
  }

  /**
   * As ready(), but undefined when a line may be written at once (no promise to
   * wait for: the usual case, while the bot talks and the server answers).
   */
  wait(): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new Error("irc: disconnected"));
    const now = this.clock.now();
    const age = now - this.confirmed;
    if (age <= this.quietMs) {
      // Past half the quiet time, a PING goes out beside the line, which does not wait for
      // it: its PONG renews the confirmation, so steady traffic never waits for a round trip.
      if (age > this.quietMs / 2) this.sendPing(now);
      return undefined;
    }
    this.sendPing(now);
    return new Promise((res, rej) => this.waiters.add({ res, rej }));
  }

  /** One PING at a time: until its PONG, lines that must wait wait for that one. */
  private sendPing(now: number): void {
    if (this.pinging) return;
    this.pinging = true;
    this.ping(`changebot-alive-${now}`);
  }
}

/** A Liveness for one connection: its PINGs go out on `client`, fed by its PONGs and its close. */
export function watchLiveness(client: IrcClient, clock: Clock, quietMs = DEFAULT_QUIET_MS): Liveness {
  const l = new Liveness(clock, quietMs, (token) => client.raw(`PING :${token}`));
  client.on("pong", (e) => l.pong(e.message));
  client.on("socket close", () => l.close());
  return l;
}
