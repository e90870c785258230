import type { Ticker } from "../../src/bot/irc/nick-keeper.js";
import { describe, expect, type TestFixtures, test } from "../harness/fixtures.js";
import type { IrcUser } from "../harness/irc.js";

/** The nick retry timer, fired by the test instead of every 60 s. */
class ManualTicker implements Ticker {
  private readonly fns = new Set<() => void>();
  every(_ms: number, fn: () => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  get armed(): number {
    return this.fns.size;
  }
  fire(): void {
    for (const f of [...this.fns]) f();
  }
}

/** The !whoami answer to someone on ngircd (no ident, no accounts). */
const whoami = (nick: string) =>
  new RegExp(`^You are irc:mask:${nick}!~${nick}@127\\.0\\.0\\.1 \\(${nick}, `);

describe("changebot takes its own nick back on ngircd", () => {
  type World = Pick<TestFixtures, "ircBot" | "ircUser">;

  /** A squatter on "changebot", the bot on a variant in `channel`, and ivy there to talk to it. */
  const squatted = async (w: World, channel: string, squatterJoins: boolean) => {
    const user = w.ircUser;
    const squatter = await user("changebot", "squatter");
    if (squatterJoins) await squatter.join(channel);
    const ticker = new ManualTicker();
    const t = await w.ircBot({ channels: [channel], adapter: { ticker } });
    // ngircd allows 9 characters, so "changebot_" is refused too.
    expect(t.irc.nick).toBe("changeb_2");
    expect(ticker.armed).toBe(1);
    const ivy = await user(`ivy${channel.slice(1, 4)}`);
    await ivy.join(channel);
    return { squatter, ticker, t, ivy };
  };

  /** Stops the bot and waits until ivy sees it quit, so the next test finds "changebot" free. */
  const stopBot = async (t: { stop(): Promise<void>; irc: { nick: string } }, ivy: IrcUser) => {
    const nick = t.irc.nick;
    const gone = new Promise<void>((res) =>
      ivy.client.on("quit", (e: { nick: string }) => {
        if (e.nick === nick) res();
      }),
    );
    await t.stop();
    await gone;
  };

  /** Back on "changebot": addressing the real nick works again, and the retry timer is off. */
  const answersAsChangebot = async (
    ivy: IrcUser,
    channel: string,
    ticker: ManualTicker,
    t: { irc: { nick: string } },
  ) => {
    await ivy.waitUntil(() => t.irc.nick === "changebot", "the bot to be changebot again");
    ivy.say(channel, "changebot: whoami");
    await ivy.waitForLine("changebot", whoami(ivy.nick));
    expect(ticker.armed).toBe(0);
  };

  test("takes the nick back as soon as the holder quits a shared channel", async ({ ircBot, ircUser }) => {
    const { squatter, ticker, t, ivy } = await squatted({ ircBot, ircUser }, "#regain", true);
    try {
      await squatter.close();
      await answersAsChangebot(ivy, "#regain", ticker, t);
    } finally {
      await stopBot(t, ivy);
    }
  });

  test("takes the nick back as soon as the holder changes nick in a shared channel", async ({
    ircBot,
    ircUser,
  }) => {
    const { squatter, ticker, t, ivy } = await squatted({ ircBot, ircUser }, "#renick", true);
    try {
      squatter.raw("NICK squatter");
      await answersAsChangebot(ivy, "#renick", ticker, t);
    } finally {
      await squatter.close();
      await stopBot(t, ivy);
    }
  });

  test("asks again on its timer when the holder left where it could not see", async ({ ircBot, ircUser }) => {
    const { squatter, ticker, t, ivy } = await squatted({ ircBot, ircUser }, "#timer", false);
    try {
      // Still taken: the attempt is refused and the bot stays usable under its variant.
      ticker.fire();
      ivy.say("#timer", "changeb_2: whoami");
      await ivy.waitForLine("changeb_2", whoami(ivy.nick));
      expect(t.irc.nick).toBe("changeb_2");
      expect(ticker.armed).toBe(1);

      await squatter.close();
      // The bot shares no channel with the squatter, so nothing tells it the nick is free.
      ivy.say("#timer", "changeb_2: whoami");
      await ivy.waitUntil(() => ivy.linesFrom("changeb_2").length >= 2, "a second answer as changeb_2");
      expect(t.irc.nick).toBe("changeb_2");
      ticker.fire();
      await answersAsChangebot(ivy, "#timer", ticker, t);
    } finally {
      await stopBot(t, ivy);
    }
  });
});
