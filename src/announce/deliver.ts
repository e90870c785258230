import { DelayedError, Worker } from "bullmq";
import { isoTime } from "../core/time.js";
import type { Services } from "../domain/services.js";
import { configuredChannels } from "../domain/topic-publish.js";
import { redisScript } from "../infra/redis-script.js";
import { redisTrouble } from "../infra/redis-trouble.js";
import { confirmReplicated } from "../infra/redis-wait.js";
import { ANNOUNCE_QUEUE, type ScheduledAnnouncement, whenTaken } from "./delayed.js";
import { deliveryDecision } from "./plan.js";
import { lateMark } from "./wording.js";

/** Keeps delivery state per announcement key: "posting" while it is being handed on, then "posted" or "dropped". */
const markerKey = (s: Services, key: string) => `${s.prefix}:announce:mark:${key}`;
const MARK_TTL_S = 30 * 86400;

/**
 * Returns the marker as it was; unless it was final ("posted", "dropped"), sets
 * it to ARGV[1] ("posting" only where there was none: a resumed delivery keeps it).
 */
const CLAIM = `local p = redis.call("get", KEYS[1])
if p == "posted" or p == "dropped" then return p end
if ARGV[1] == "dropped" or not p then redis.call("set", KEYS[1], ARGV[1], "EX", ARGV[2]) end
return p`;

export interface DeliveryHooks {
  /** False when the announcement is stale (its downtime moved, was cancelled or is over). */
  stillWanted(a: ScheduledAnnouncement): Promise<boolean>;
  /** Runs just before posting (e.g. the start slot sets the topic segment). */
  before?(a: ScheduledAnnouncement): Promise<void>;
}

export type DeliveryResult = "posted" | "posted-late" | "dropped" | "stale" | "duplicate";

/**
 * Delivers one due announcement, at most once: a marker (read and set in one script) claims
 * it; a redelivery after it was posted or dropped does nothing. A delivery cut
 * short between claim and "posted" (a crash) is resumed: the announcer hands it
 * on under the same per-target ids, which the chat and webhook queues remember
 * for a week (BullMQ deduplication), so it is still posted once.
 *
 * A first attempt hands a chat target this process is connected to straight to
 * its adapter (Outbox.sendNow): the announcement's own job and marker are its
 * durable record, so no outbox job is needed. As with a queued message, whose
 * worker can die between the adapter's send and the job's completion, a crash
 * in the one round trip between that send and "posted" posts it again.
 */
export async function deliver(
  s: Services,
  a: ScheduledAnnouncement,
  hooks: DeliveryHooks,
): Promise<DeliveryResult> {
  const key = markerKey(s, a.key);
  if (!(await hooks.stillWanted(a))) {
    const prior = await s.redis.get(key);
    if (prior === "posted" || prior === "dropped") return "duplicate";
    s.log.info({ announcement: a.key }, "announcement no longer wanted (plan changed); not posted");
    return "stale";
  }
  const now = s.clock.now();
  const d = deliveryDecision(a, now, s.config.downtime.lateAfter);
  // Reads the marker and claims it ("posting", or "dropped") in one round trip.
  const claim = redisScript(s.redis, "changebotAnnounceClaim", CLAIM, 1);
  const prior = (await claim(key, d.post ? "posting" : "dropped", MARK_TTL_S)) as string | null;
  if (prior === "posted" || prior === "dropped") return "duplicate";
  if (!d.post) {
    s.log.warn(
      { announcement: a.key, due: isoTime(a.due), reason: d.reason },
      "announcement came due while the bot was down and no longer matters; dropped",
    );
    return "dropped";
  }
  // prior "posting": a delivery cut short (a crash) is resumed under the same ids, through the
  // queues (whose ids remember what the first attempt queued); a first attempt may post directly.
  await hooks.before?.(a);
  const text = d.late ? `${lateMark(a.due, now)}${a.text}` : a.text;
  if (d.late) s.log.info({ announcement: a.key, lateByMs: d.lateByMs }, "posting a late announcement");
  const said = await s.announcer.announce(text, {
    id: a.key,
    targets: a.targets,
    // Planned before this field existed: every configured channel.
    here: a.here ?? configuredChannels(s),
    kind: a.kind,
    direct: prior === null,
    meta: { ...a.meta, due: isoTime(a.due), late: d.late },
  });
  if (!said.targets.length)
    s.log.warn({ announcement: a.key }, "announcement has nowhere to go: no announce: targets, no channel");
  await s.redis.set(key, "posted", "EX", MARK_TTL_S);
  await confirmReplicated(s.redis, "announcement delivered marker", { announcement: a.key });
  return d.late ? "posted-late" : "posted";
}

/**
 * How many announcements one process holds or posts at once. A job comes due
 * EARLY_MS before its announcement and is held until then, so this bounds how
 * many may fall due within EARLY_MS of each other and still go out on time
 * (holding one is a timer; posting one is a few Redis round trips).
 */
const ANNOUNCE_CONCURRENCY = 64;

/** The worker that posts announcements as they come due: each taken early (EARLY_MS) and posted at its time. */
export function startAnnounceWorker(s: Services, hooks: DeliveryHooks): { close(): Promise<void> } {
  const worker = new Worker(
    ANNOUNCE_QUEUE,
    async (job, token) => {
      const a = job.data as ScheduledAnnouncement;
      const w = whenTaken(a.due, s.clock.now());
      if (!w.hold && token) {
        // BullMQ's delays are counted in real time, as the scheduler's was (AnnounceScheduler.schedule).
        await job.moveToDelayed(Date.now() + w.againInMs, token);
        s.log.info(
          { announcement: a.key, dueInMs: a.due - s.clock.now() },
          "announcement taken before its time; put back",
        );
        throw new DelayedError();
      }
      await s.clock.until(a.due);
      return deliver(s, a, hooks);
    },
    s.queues.workerOptions({
      concurrency: ANNOUNCE_CONCURRENCY,
      lockDuration: s.config.jobs.lockMs,
      stalledInterval: s.config.jobs.stalledCheckMs,
      // A worker killed mid-delivery leaves a stalled job: run it again (the marker keeps it single).
      maxStalledCount: 1000,
    }),
  );
  worker.on("failed", (job, err) =>
    s.log.warn({ announcement: job?.id, err: err.message }, "announcement delivery failed; will retry"),
  );
  worker.on("error", (e) => redisTrouble(s.log).report("announcement queue", e));
  return { close: () => worker.close() };
}
