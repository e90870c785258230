import type { Clock } from "../core/clock.js";
import { identityKey } from "../core/identity.js";
import type { Identity } from "../core/messages.js";
import type { JobRecord, JobStore } from "./job-store.js";
import type { Queues } from "./queues.js";
import { WORK_QUEUE } from "./queues.js";

export interface EnqueueRequest {
  /** Handler name in the job registry. */
  name: string;
  /** One line shown in the ack and in !jobs. */
  summary: string;
  data?: Record<string, unknown>;
  /** Don't post an ack at all. */
  quiet?: boolean;
  /** The ack's text instead of "queued #n: summary"; posted before the job can start, so its result threads under it. */
  ack?: (rec: JobRecord) => string;
  /** Start no earlier than this (ms since epoch). */
  notBefore?: number;
}

/** What starting a job needs. */
export interface EnqueueDeps {
  jobs: JobStore;
  queues: Queues;
  clock: Clock;
}

export interface JobOrigin {
  network: string;
  channel: string;
  threadId?: string;
  user: Identity;
}

/**
 * Creates the job's record, then puts it on the work queue under a deterministic
 * BullMQ id ("j42"), so a second add of the same job is a no-op. Only then is the
 * ack sent (a user never sees "queued #42" for a job a crash could lose); the
 * job's own messages wait for it (JobStore.waitAcked), so they follow the ack
 * and thread under it.
 */
export async function startJob(
  services: EnqueueDeps,
  req: EnqueueRequest,
  origin: JobOrigin,
  ack?: (rec: JobRecord) => Promise<void>,
): Promise<JobRecord> {
  const rec = await services.jobs.create(
    {
      name: req.name,
      summary: req.summary,
      by: origin.user.display,
      byId: identityKey(origin.user),
      network: origin.network,
      channel: origin.channel,
      threadId: origin.threadId,
      data: req.data ?? {},
    },
    !!ack,
  );
  await services.queues.get(WORK_QUEUE).add(
    req.name,
    { id: rec.id },
    {
      jobId: rec.ref,
      delay: req.notBefore ? Math.max(0, req.notBefore - services.clock.now()) : undefined,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  );
  if (ack) {
    await ack(rec);
    await services.jobs.acked(rec.id);
  }
  return rec;
}
