import type { Redis } from "ioredis";
import { UserError } from "../core/errors.js";

export type DowntimeStatus = "scheduled" | "started" | "done" | "cancelled" | "aborted";

/** One downtime window, as kept in Redis. */
export interface Downtime {
  id: number;
  title: string;
  start: number;
  windowMs: number;
  backup?: number;
  status: DowntimeStatus;
  /** Bumped by every change of plan; announcement job ids carry it, so stale ones are recognised. */
  rev: number;
  by: string;
  createdAt: number;
  shortNotice: boolean;
  /** Aborted without a usable backup window: waiting for `!downtime move` to a window with enough notice. */
  needsWindow?: boolean;
  startedAt?: number;
  startedBy?: string;
  endedAt?: number;
  durationMs?: number;
  reason?: string;
  /** Channels that got the topic segment ("irc:#launchpad-dev"). */
  topicChannels?: string[];
  /** Where it was scheduled ("irc:#launchpad-dev"): its announcements go there when no `announce:` target is configured. */
  channel?: string;
  /** The runbook run whose downtime markers start and end it ("launchpad-db-deployment #4"). */
  run?: string;
}

const OPEN: readonly DowntimeStatus[] = ["scheduled", "started"];
export const isOpen = (d: Downtime) => OPEN.includes(d.status);

/** Downtimes in one Redis hash, ids from a counter. */
export class DowntimeStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Called before every change: throws to refuse it (a rehearsal's services). */
    private readonly mayChange: () => void = () => {},
  ) {}

  private get key() {
    return `${this.prefix}:downtimes`;
  }

  async create(d: Omit<Downtime, "id">): Promise<Downtime> {
    this.mayChange();
    const id = await this.redis.incr(`${this.key}:seq`);
    const full = { ...d, id };
    await this.redis.hset(this.key, String(id), JSON.stringify(full));
    return full;
  }

  async get(id: number): Promise<Downtime | undefined> {
    const raw = await this.redis.hget(this.key, String(id));
    return raw ? (JSON.parse(raw) as Downtime) : undefined;
  }

  async require(id: number): Promise<Downtime> {
    const d = await this.get(id);
    if (!d) throw new UserError(`There is no downtime #${id}; see !downtime list.`);
    return d;
  }

  async save(d: Downtime): Promise<void> {
    this.mayChange();
    await this.redis.hset(this.key, String(d.id), JSON.stringify(d));
  }

  async all(): Promise<Downtime[]> {
    const raw = await this.redis.hvals(this.key);
    return raw.map((r) => JSON.parse(r) as Downtime).sort((a, b) => a.start - b.start || a.id - b.id);
  }
}
