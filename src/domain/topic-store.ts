import type { Redis } from "ioredis";
import { withRedisLock } from "../infra/lock.js";
import { ErrorCode, UserError } from "../core/errors.js";

/**
 * A channel topic as segments joined by " | " (Limnoria's Topic plugin is the
 * model). Segments with an owner ("rc-mode", "downtime") are managed by the bot:
 * people's edits keep them, and only their owner adds or removes them.
 */
export interface TopicSegment {
  text: string;
  owner?: string;
}

export const SEPARATOR = " | ";

export function joinTopic(segments: readonly TopicSegment[]): string {
  return segments.map((s) => s.text).join(SEPARATOR);
}

/**
 * Fits a topic into maxBytes (IRC counts bytes, Slack characters: pass the
 * measure). Managed segments are never shortened; people's segments are
 * dropped from the end, then the last kept one is shortened with "…".
 */
export function fitTopic(
  segments: readonly TopicSegment[],
  max: number,
  measure: (s: string) => number = (s) => Buffer.byteLength(s),
): { text: string; cut: string[] } {
  let work = segments.map((s) => ({ ...s, original: s.text, shortened: false }));
  const cut = new Set<string>();
  while (measure(joinTopic(work)) > max) {
    const i = work.findLastIndex((s) => !s.owner);
    if (i < 0) {
      throw new UserError(
        `the bot's own topic segments (${work.map((m) => `"${m.text}"`).join(", ")}) are longer than the topic limit of ${max}`,
        ErrorCode.Refused,
      );
    }
    const seg = work[i]!;
    cut.add(seg.original);
    const room = measure(seg.text) - (measure(joinTopic(work)) - max) - measure("…");
    if (!seg.shortened && room >= 8) {
      let t = seg.text;
      while (measure(t) > room) t = [...t].slice(0, -1).join("");
      work[i] = { ...seg, text: `${t.trimEnd()}…`, shortened: true };
    } else {
      work = work.filter((_, j) => j !== i);
    }
  }
  return { text: joinTopic(work), cut: [...cut] };
}

export interface TopicChangeResult {
  before: TopicSegment[];
  after: TopicSegment[];
  changed: boolean;
}

const HISTORY = 20;

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
