import type { Redis } from "ioredis";
import type { Clock } from "../core/clock.js";
import { isoTime } from "../core/time.js";

/**
 * The append-only audit log: a Redis stream of who asked what, when, and what
 * came of it. Entries are only ever added (XADD), never edited.
 */
export interface AuditEntry {
  /** "command", "denied", "job", "ack", "confirm", "announce", … */
  event: string;
  who?: string;
  network?: string;
  channel?: string;
  command?: string;
  job?: number;
  outcome?: string;
  [extra: string]: string | number | undefined;
}

export class AuditLog {
  readonly key: string;
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly clock: Clock,
  ) {
    this.key = `${prefix}:audit`;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.redis.xadd(this.key, "*", ...this.fields(entry));
  }

  /** The entry as the stream's field, value pairs (for a script that writes it with the change it records). */
  fields(entry: AuditEntry): string[] {
    const fields: string[] = ["at", isoTime(this.clock.now())];
    for (const [k, v] of Object.entries(entry)) if (v !== undefined) fields.push(k, String(v));
    return fields;
  }

  /** The newest entries first. */
  async recent(count = 20): Promise<Record<string, string>[]> {
    const rows = await this.redis.xrevrange(this.key, "+", "-", "COUNT", count);
    return rows.map(([id, kv]) => {
      const o: Record<string, string> = { id };
      for (let i = 0; i < kv.length; i += 2) o[kv[i]!] = kv[i + 1]!;
      return o;
    });
  }
}
