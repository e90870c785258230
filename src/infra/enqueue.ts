import type { Identity } from "../core/messages.js";
import type { EnqueueRequest } from "../commands/types.js";
import type { Services } from "../domain/services.js";
import { WORK_QUEUE } from "./queues.js";
import type { JobRecord } from "./job-store.js";

export interface JobOrigin {
  network: string;
  channel: string;
  threadId?: string;
  user: Identity;
}

/** Where a user identity is matched in role rules: "console:alice", "irc:account:bob", "slack:U1". */
export function identityKey(u: Identity): string {
  if (u.network === "irc") return u.account ? `irc:account:${u.account}` : `irc:mask:${u.mask ?? u.id}`;
  return `${u.network}:${u.id}`;
}

/**
 * Creates the job's record, then puts it on the work queue under a deterministic
 * BullMQ id ("j42"), so a second add of the same job is a no-op. Only then is the
 * ack sent (a user never sees "queued #42" for a job a crash could lose); the
 * job's own messages wait for it (JobStore.waitAcked), so they follow the ack
 * and thread under it.
 */
export async function startJob(
  services: Services,
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
