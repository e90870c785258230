import type { IrcClient } from "./client.js";
import { splitMessage } from "./lines.js";
import type { Pacer } from "./pacer.js";

/** Lines of one message not yet written, and the payload limit they were cut for. */
interface Unsent {
  lines: string[];
  max: number;
}

/** At most this many interrupted messages are remembered (the outbox retries one at a time). */
const MAX_UNSENT = 100;

/**
 * Writes a message as PRIVMSG lines, one at a time through the pacer. If the
 * connection drops halfway, the outbox sends the same message again once
 * reconnected, and only the lines not yet written go out: nothing the server
 * already relayed is repeated. A line written in the instant the server died
 * is lost with it (IRC does not acknowledge messages).
 */
export class LineSender {
  private readonly unsent = new Map<string, Unsent>();

  constructor(
    private readonly pacer: Pacer,
    /**
     * Undefined when the connection is known to be alive (Liveness.wait); else a promise
     * that resolves once it is, or rejects when it is gone.
     */
    private readonly alive: () => Promise<void> | undefined = () => undefined,
  ) {}

  /** `max`: payload bytes a line may carry on this connection (payloadBytes). */
  async send(client: IrcClient, target: string, text: string, max: number): Promise<void> {
    const key = `${target}\0${text}`;
    const left = this.unsent.get(key);
    this.unsent.delete(key);
    let lines = left ? left.lines : splitMessage(text, max);
    // Back under a longer nick (or a longer host): cut what is left again to fit.
    if (left && max < left.max) lines = lines.flatMap((l) => splitMessage(l, max));
    try {
      const write = () => {
        if (!client.connected) throw new Error("irc: disconnected while sending");
        client.raw(`PRIVMSG ${target} :${lines[0]}`);
      };
      while (lines.length) {
        const wait = this.alive();
        if (wait) await wait;
        // The first lines of an answer go out in this call, not a few promise turns later.
        if (!this.pacer.writeNow(write)) await this.pacer.write(write);
        lines.shift();
      }
    } catch (e) {
      if (this.unsent.size >= MAX_UNSENT) this.unsent.clear();
      this.unsent.set(key, { lines, max: Math.min(max, left?.max ?? max) });
      throw e;
    }
  }
}
