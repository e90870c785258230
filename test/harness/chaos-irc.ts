import { CHANNEL } from "./chaos-world.js";
import { IrcUser } from "./irc.js";
import { waitForPort } from "./servers.js";

/**
 * A person in the drill's IRC channel, who comes back after each ngircd
 * restart. What it saw is a second look at the announcements, not the count:
 * while it is cut off it misses lines (so fewer is no violation), but a line it
 * saw twice was posted twice.
 */
export class IrcWatcher {
  private user?: IrcUser;
  private readonly seen: string[] = [];
  private stopped = false;
  reconnects = 0;
  /** [joined, left] of each time in the channel; left undefined while still there. */
  readonly present: [number, number | undefined][] = [];

  constructor(private readonly port: () => number) {}

  async start(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      // Back as soon as ngircd listens again (a refused connect would cost IrcUser's whole 10 s timeout).
      if (
        !(await waitForPort(this.port(), 30_000).then(
          () => true,
          () => false,
        ))
      )
        continue;
      const u = new IrcUser(`watcher${i}`);
      try {
        await u.connect(this.port());
        await u.join(CHANNEL);
      } catch {
        try {
          u.client.quit();
        } catch {
          // never connected
        }
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (this.stopped) {
        u.client.quit();
        return;
      }
      this.user = u;
      const stay: [number, number | undefined] = [Date.now(), undefined];
      this.present.push(stay);
      u.client.on("privmsg", (e: { nick: string; target: string; message: string }) => {
        if (e.nick === "changebot" && e.target.toLowerCase() === CHANNEL) this.seen.push(e.message);
      });
      u.client.once("socket close", () => {
        stay[1] = Date.now();
        if (this.stopped) return;
        this.reconnects++;
        void this.start();
      });
      return;
    }
  }

  /** In the channel through the whole of [from, to]. */
  wasPresent(from: number, to: number): boolean {
    return this.present.some(([a, b]) => a <= from && (b === undefined || b >= to));
  }

  count(re: RegExp): number {
    return this.seen.filter((l) => re.test(l)).length;
  }

  stop(): void {
    this.stopped = true;
    this.user?.client.quit();
  }
}
