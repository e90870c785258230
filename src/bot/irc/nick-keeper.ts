import type { Logger } from "../../core/log.js";
import type { IrcClient } from "./client.js";
import { altNick } from "./nick.js";

/** Runs fn every ms until the returned function is called (production: setInterval). */
export interface Ticker {
  every(ms: number, fn: () => void): () => void;
}

export const intervalTicker: Ticker = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

/** How often the bot asks for its own nick back while it runs under another one. */
export const NICK_RETRY_MS = 60_000;

/**
 * Keeps the configured nick, for one connection. While registering, a taken
 * (433) or too long (432) nick makes it try the next variant. Once registered
 * under a variant, it asks for its own nick back as soon as the holder is seen
 * to quit or change nick in a shared channel, and every `retryMs` in case the
 * holder left where the bot cannot see it.
 */
export class NickKeeper {
  private registered = false;
  private attempt = 0;
  private stopTicker?: () => void;

  constructor(
    private readonly client: IrcClient,
    private readonly wanted: string,
    private readonly o: {
      write: (line: string) => Promise<void>;
      log: Logger;
      retryMs?: number;
      ticker?: Ticker;
    },
  ) {
    const next = () => {
      if (!this.registered && ++this.attempt <= 20) client.raw(`NICK ${altNick(wanted, this.attempt)}`);
    };
    client.on("nick in use", next);
    client.on("nick invalid", (e) => {
      if (!this.registered) return next();
      // The server will never accept it (longer than its NICKLEN): asking again is pointless.
      if (client.sameNick(e.nick, wanted)) {
        o.log.warn({ nick: wanted }, "irc: the server refuses the configured nick; keeping this one");
        this.stop();
      }
    });
    client.on("registered", (e) => {
      this.registered = true;
      // irc-framework updates client.nick only after this event: use the server's word.
      if (!client.sameNick(e.nick, wanted)) this.start(e.nick);
    });
    client.on("quit", (e) => {
      if (this.stopTicker && client.sameNick(e.nick, wanted)) this.ask();
    });
    client.on("nick", (e) => {
      // Ours: client.nick is the old or the new nick, depending on when irc-framework updates it.
      const mine = client.sameNick(e.nick, client.nick) || client.sameNick(e.new_nick, client.nick);
      if (mine && client.sameNick(e.new_nick, wanted)) {
        o.log.info({ nick: wanted }, "irc: got the configured nick back");
        this.stop();
      } else if (this.stopTicker && client.sameNick(e.nick, wanted)) this.ask();
    });
    client.on("socket close", () => this.stop());
  }

  /** Whether the bot runs under its configured nick. */
  holding(): boolean {
    return this.client.sameNick(this.client.nick, this.wanted);
  }

  private start(nick: string): void {
    this.o.log.info({ nick, wanted: this.wanted }, "irc: running under another nick");
    this.stopTicker = (this.o.ticker ?? intervalTicker).every(this.o.retryMs ?? NICK_RETRY_MS, () =>
      this.ask(),
    );
  }

  private stop(): void {
    this.stopTicker?.();
    this.stopTicker = undefined;
  }

  /** NICK <configured>; a 433 answer (still taken) is simply ignored until the next try. */
  private ask(): void {
    if (!this.client.connected || this.holding()) return;
    this.o.write(`NICK ${this.wanted}`).catch(() => {});
  }
}
