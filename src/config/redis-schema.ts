import { z } from "zod";

/** "host:port" of a Redis Sentinel (a name or an address; IPv6 in brackets: "[::1]:26379"). */
const sentinelAddress = z
  .string()
  .regex(
    /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}$/,
    'expected "host:port", e.g. "10.0.0.5:26379"',
  )
  .refine((a) => {
    const port = /:(\d+)$/.exec(a);
    return !port || (Number(port[1]) > 0 && Number(port[1]) < 65536);
  }, "the port must be 1-65535");

/** A primary found through Redis Sentinel (ioredis's Sentinel support, which BullMQ uses as is). */
export const sentinelRedis = z.strictObject({
  /** At least one sentinel; give all of them (three or more), any one answering is enough. */
  sentinels: z.array(sentinelAddress).min(1, "give at least one sentinel (three or more in production)"),
  /** The name the sentinels monitor the primary under (`sentinel monitor NAME …`). */
  name: z.string().min(1),
  /** Password (requirepass) of the primary and its replicas. */
  password: z.string().min(1).optional(),
  /** ACL user of the primary and its replicas, when not "default". */
  username: z.string().min(1).optional(),
  /** Password of the sentinels themselves (their requirepass), when they have one. */
  sentinelPassword: z.string().min(1).optional(),
  /** Database number on the primary. */
  db: z.number().int().min(0).max(15).optional(),
  /**
   * After the writes that matter (a run's state, an announcement's delivered marker), wait
   * this long for a replica to confirm them (WAIT 1 ms); 0 turns the check off.
   */
  replicaWaitMs: z.number().int().min(0).max(10_000).default(500),
});
export type SentinelRedis = z.infer<typeof sentinelRedis>;

const redisUrl = z
  .string()
  .regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL, or { sentinels, name }");

/**
 * `redis:` — a URL or the Sentinel form, chosen by the value's type, so a mistake is
 * reported against the form the user meant (a union would say only "Invalid input").
 */
export const redisField = z.unknown().transform((v, ctx): string | SentinelRedis => {
  const r = typeof v === "string" ? redisUrl.safeParse(v) : sentinelRedis.safeParse(v);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: v } as (typeof ctx.issues)[number]);
  return z.NEVER;
});
