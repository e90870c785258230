import { createHmac } from "node:crypto";
import { Worker } from "bullmq";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { toChannel } from "../core/outbound.js";
import { parseTarget } from "../core/targets.js";
import { isoTime } from "../core/time.js";
import type { Outbox } from "../infra/outbox.js";
import { type Queues, WEBHOOK_QUEUE } from "../infra/queues.js";
import { redisTrouble } from "../infra/redis-trouble.js";

export interface AnnounceOptions {
  /** Targets to use instead of the configured `announce:` list. */
  targets?: readonly string[];
  /**
   * Where the announcement goes when there is no target at all (neither `targets`
   * nor `announce:`): the channel the command, run or downtime lives in, as "network:channel".
   */
  here?: readonly string[];
  /** A stable id: the same announcement is delivered once per target even if announced twice. */
  id?: string;
  /** Extra fields for webhook bodies (kind, downtime id, due time, …). */
  meta?: Record<string, unknown>;
  /** "alarm" for announcements that need attention now (an overrun); chat adapters may render it louder. */
  kind?: "announce" | "alarm";
  /**
   * The caller posts it again after a crash (a due announcement's job and
   * marker), so a chat target this process is connected to gets it at once,
   * without an outbox job (Outbox.sendNow); otherwise it is queued under its id.
   */
  direct?: boolean;
}

/** What became of an announcement: the targets it was handed to, and whether they are the fallback. */
export interface Announced {
  targets: readonly string[];
  /** True when no `announce:` target is configured and it went to `here` instead. */
  here: boolean;
}

export const NO_TARGETS = "no announce: targets configured";

/** One line for a job's result: "announced", or where it went instead. */
export function announcedSummary(a: Announced): string {
  if (a.targets.length === 0) return `NOT announced (${NO_TARGETS}, and no channel to post in)`;
  return a.here ? `announced here (${NO_TARGETS})` : "announced";
}

/** How long an announcement id is remembered: a repeat within this time is never posted again. */
export const ANNOUNCE_DEDUPE_MS = 7 * 86_400_000;

/** BullMQ job ids may not contain ":". */
const safeId = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

/** Posts an announcement to every target: chat channels through the outbox, webhooks through their queue. */
export class Announcer {
  constructor(
    private readonly outbox: Outbox,
    private readonly queues: Queues,
    private readonly targets: readonly string[],
    private readonly clock: Clock,
  ) {}

  async announce(text: string, opts: AnnounceOptions = {}): Promise<Announced> {
    const chosen = opts.targets ?? this.targets;
    const here = chosen.length === 0;
    const targets = here ? (opts.here ?? []) : chosen;
    for (const spec of targets) {
      const t = parseTarget(spec);
      const jobId = opts.id ? safeId(`${opts.id}-${spec}`) : undefined;
      if (t.network === "webhook") {
        const body = { ...opts.meta, text, at: isoTime(this.clock.now()), id: opts.id };
        await this.queues.get(WEBHOOK_QUEUE).add(
          "post",
          { url: t.target, body, delivery: jobId },
          {
            jobId,
            // The id stays taken after delivery too (a job id alone is free again once the job is removed).
            deduplication: jobId ? { id: jobId, ttl: ANNOUNCE_DEDUPE_MS } : undefined,
            attempts: 8,
            backoff: { type: "exponential", delay: 1000 },
            removeOnComplete: { count: 1000 },
            removeOnFail: { count: 1000 },
          },
        );
      } else {
        const msg = toChannel(t.network, t.target, text, { kind: opts.kind ?? "announce" });
        if (opts.direct && (await this.outbox.sendNow(msg))) continue;
        await this.outbox.send(msg, jobId, jobId ? ANNOUNCE_DEDUPE_MS : undefined);
      }
    }
    return { targets, here };
  }
}

/** HMAC-SHA256 of the timestamp and body, as the X-Changebot-Signature header carries it. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Delivers webhook announcements: a JSON POST, signed when a secret is set, retried with backoff. */
export function startWebhookWorker(
  queues: Queues,
  secret: string | undefined,
  log: Logger,
  clock: Clock,
  /** How soon a post whose worker died is retried (config jobs.lockMs / stalledCheckMs). */
  locks: { lockMs: number; stalledCheckMs: number } = { lockMs: 30_000, stalledCheckMs: 30_000 },
) {
  const worker = new Worker(
    WEBHOOK_QUEUE,
    async (job) => {
      const { url, body, delivery } = job.data as { url: string; body: unknown; delivery?: string };
      const payload = JSON.stringify(body);
      const ts = String(Math.floor(clock.now() / 1000));
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-changebot-timestamp": ts,
        // The same id on every retry, so a receiver can recognise a repeat it already accepted.
        "x-changebot-delivery": delivery ?? String(job.id),
      };
      if (secret) headers["x-changebot-signature"] = signWebhook(secret, ts, payload);
      const res = await fetch(url, {
        method: "POST",
        headers,
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) {
        log.warn(
          { url: new URL(url).origin, status: res.status, attempt: job.attemptsMade + 1 },
          "webhook refused; will retry",
        );
        throw new Error(`webhook answered ${res.status}`);
      }
    },
    queues.workerOptions({
      concurrency: 4,
      lockDuration: locks.lockMs,
      stalledInterval: locks.stalledCheckMs,
    }),
  );
  worker.on("failed", (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      log.error({ err: err.message }, "webhook announcement given up");
  });
  worker.on("error", (e) => redisTrouble(log).report("webhook queue", e));
  return { close: () => worker.close() };
}
