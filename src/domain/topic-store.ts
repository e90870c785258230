import type { Redis } from "ioredis";
import { SEPARATOR, type TopicSegment } from "../core/topic-fit.js";
import { withRedisLock } from "../infra/lock.js";

export interface TopicChangeResult {
  before: TopicSegment[];
  after: TopicSegment[];
  changed: boolean;
}

const HISTORY = 20;

export type { TopicSegment };

/** Topics and their undo history in Redis, shared by every process of the bot. */
export class TopicStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(network: string, channel: string) {
    return `${this.prefix}:topic:${network}:${channel}`;
  }

  async get(network: string, channel: string): Promise<TopicSegment[]> {
    const raw = await this.redis.get(this.key(network, channel));
    return raw ? (JSON.parse(raw) as TopicSegment[]) : [];
  }

  /** Every channel with a stored topic, as "network:channel". */
  async channels(): Promise<string[]> {
    const keys = await this.redis.keys(`${this.prefix}:topic:*`);
    return keys.map((k) => k.slice(`${this.prefix}:topic:`.length));
  }

  private locked<T>(network: string, channel: string, fn: () => Promise<T>): Promise<T> {
    return withRedisLock(this.redis, `${this.key(network, channel)}:lock`, fn, 5000);
  }

  /** Changes a channel's topic; a people's edit (userEdit) is recorded for !topic undo. */
  async change(
    network: string,
    channel: string,
    mutate: (segments: TopicSegment[]) => TopicSegment[],
    userEdit = false,
  ): Promise<TopicChangeResult> {
    return this.locked(network, channel, async () => {
      const before = await this.get(network, channel);
      const after = mutate(before.map((s) => ({ ...s })));
      const changed = JSON.stringify(before) !== JSON.stringify(after);
      if (changed) {
        const m = this.redis.multi().set(this.key(network, channel), JSON.stringify(after));
        if (userEdit) {
          const hist = `${this.key(network, channel)}:history`;
          m.lpush(hist, JSON.stringify(before.filter((s) => !s.owner))).ltrim(hist, 0, HISTORY - 1);
        }
        await m.exec();
      }
      return { before, after, changed };
    });
  }

  /** Sets or clears the segment an owner manages (text undefined clears it). Managed segments lead the topic. */
  setManaged(network: string, channel: string, owner: string, text: string | undefined) {
    return this.change(network, channel, (segs) => {
      const rest = segs.filter((s) => s.owner !== owner);
      if (text === undefined) return rest;
      const managed = rest.filter((s) => s.owner);
      return [...managed, { text, owner }, ...rest.filter((s) => !s.owner)];
    });
  }

  /** Undo the last people's edit: their segments come back; the bot's managed ones stay as they are now. */
  async undo(network: string, channel: string): Promise<TopicChangeResult | undefined> {
    const hist = `${this.key(network, channel)}:history`;
    const prev = await this.redis.lpop(hist);
    if (!prev) return undefined;
    const users = JSON.parse(prev) as TopicSegment[];
    return this.change(network, channel, (segs) => [...segs.filter((s) => s.owner), ...users]);
  }

  /**
   * The topic as the network shows it now (someone used /topic, or the bot just
   * joined). People's segments are taken from it; managed segments are kept.
   * Returns the managed segments the live topic lacks (to restore them).
   */
  async observe(network: string, channel: string, live: string): Promise<TopicSegment[]> {
    const stored = await this.get(network, channel);
    const parts = live
      ? live
          .split(SEPARATOR)
          .map((t) => t.trim())
          .filter(Boolean)
      : [];
    const managed = stored.filter((s) => s.owner);
    const missing = managed.filter((m) => !parts.includes(m.text));
    const users = parts.filter((p) => !managed.some((m) => m.text === p)).map((text) => ({ text }));
    await this.change(network, channel, () => [...managed, ...users]);
    return missing;
  }
}
