import { UserError } from "../../core/errors.js";
import type { IrcClient } from "./client.js";

/** What the bot knows of one channel it is in. */
interface ChannelState {
  name: string;
  /** NAMES has ended: the topic (if any) has arrived too. */
  ready: boolean;
  topic: string;
  /** +t: only channel operators may change the topic. */
  topicLocked: boolean;
  /** The bot's own prefix modes here (o, h, …). */
  myModes: Set<string>;
}

/** Prefix modes that may change a +t topic. */
const TOPIC_MODES = ["q", "a", "o", "h"];

/**
 * The channels the bot sits in: topic, +t, and whether the bot has op, kept
 * from JOIN/NAMES/MODE/TOPIC as the server sends them.
 */
export class ChannelBook {
  private readonly chans = new Map<string, ChannelState>();

  constructor(
    private readonly client: IrcClient,
    private readonly onReady: (channel: string) => void,
    private readonly onTopic: (channel: string, topic: string, by?: string) => void,
  ) {
    const me = (nick: string) => client.sameNick(nick, client.nick);
    client.on("join", (e) => {
      if (!me(e.nick)) return;
      this.chans.set(this.key(e.channel), {
        name: e.channel,
        ready: false,
        topic: "",
        topicLocked: false,
        myModes: new Set(),
      });
      client.raw(`MODE ${e.channel}`);
    });
    client.on("userlist", (e) => {
      const c = this.get(e.channel);
      if (!c) return;
      const mine = e.users.find((u) => me(u.nick));
      if (mine) c.myModes = new Set(mine.modes);
      if (!c.ready) {
        c.ready = true;
        this.onReady(c.name);
      }
    });
    client.on("topic", (e) => {
      const c = this.get(e.channel);
      if (!c) return;
      c.topic = e.topic;
      this.onTopic(c.name, e.topic, e.nick);
    });
    const applyModes = (channel: string, modes: { mode: string; param?: string | null }[]) => {
      const c = this.get(channel);
      if (!c) return;
      for (const m of modes) {
        const on = m.mode.startsWith("+");
        const letter = m.mode.slice(1);
        if (letter === "t") c.topicLocked = on;
        else if (TOPIC_MODES.includes(letter) && m.param && me(m.param)) {
          if (on) c.myModes.add(letter);
          else c.myModes.delete(letter);
        }
      }
    };
    client.on("mode", (e) => applyModes(e.target, e.modes));
    client.on("channel info", (e) => {
      if (!e.modes) return;
      const c = this.get(e.channel);
      if (c) c.topicLocked = false;
      applyModes(e.channel, e.modes);
    });
    const leave = (channel: string, nick: string) => {
      if (me(nick)) this.chans.delete(this.key(channel));
    };
    client.on("part", (e) => leave(e.channel, e.nick));
    client.on("kick", (e) => leave(e.channel, e.kicked));
    client.on("socket close", () => this.chans.clear());
  }

  private key(channel: string): string {
    return this.client.lower(channel);
  }

  get(channel: string): ChannelState | undefined {
    return this.chans.get(this.key(channel));
  }

  isReady(channel: string): boolean {
    return !!this.get(channel)?.ready;
  }

  topicOf(channel: string): string | undefined {
    return this.get(channel)?.topic;
  }

  /** Throws the UserError the channel should see when the bot may not set its topic. */
  checkMaySetTopic(channel: string): void {
    const c = this.get(channel);
    if (!c) throw new UserError(`I am not in ${channel}, so I cannot change its topic.`);
    if (c.topicLocked && !TOPIC_MODES.some((m) => c.myModes.has(m)))
      throw new UserError(`I need op in ${channel} to change the topic (it is +t).`);
  }

  /**
   * Sets a topic and waits for the server's answer: the TOPIC itself, or 482
   * "you're not channel operator" (a UserError the channel sees).
   */
  async setTopic(
    channel: string,
    topic: string,
    write: (line: string) => Promise<void>,
    timeoutMs: number,
  ): Promise<void> {
    this.checkMaySetTopic(channel);
    if (this.topicOf(channel) === topic) return;
    const { client } = this;
    const same = (c: string) => client.lower(c) === client.lower(channel);
    const offs: (() => void)[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((res, rej) => {
      timer = setTimeout(() => rej(new Error(`irc: no answer to TOPIC ${channel}`)), timeoutMs);
      offs.push(
        client.on("topic", (e) => {
          if (same(e.channel) && e.nick && client.sameNick(e.nick, client.nick)) res();
        }),
        client.on("irc error", (e) => {
          if (e.error === "chanop_privs_needed" && e.channel && same(e.channel))
            rej(new UserError(`I need op in ${channel} to change the topic.`));
        }),
        client.on("socket close", () => rej(new Error("irc: disconnected while setting the topic"))),
      );
    });
    try {
      await write(`TOPIC ${channel} :${topic}`);
      await done;
    } finally {
      clearTimeout(timer);
      for (const off of offs) off();
    }
  }
}
