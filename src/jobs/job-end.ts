import { inJob } from "../core/outbound.js";
import type { Outcome } from "../core/result.js";
import type { Services } from "../domain/services.js";
import type { AuditEntry } from "../infra/audit.js";
import type { JobRecord, JobState } from "../infra/job-store.js";

/**
 * What a job says in chat and how its end is made durable: its record's final
 * state with the audit entry in one round trip, the end's message kept on the
 * record until the outbox has it, and the state published for waiters.
 */

/** Says something in a job's thread. */
export async function sayInJob(
  services: Services,
  rec: JobRecord,
  text: string,
  kind: "reply" | "alarm" = "reply",
  /** The text's last N lines are output (see OutboundMessage.outputLines). */
  outputLines?: number,
  /** What the text says, as data, and the buttons it comes with (Outcome.events, Outcome.actions). */
  said: Pick<Outcome, "events" | "actions"> = {},
  /** Whether the ack may still be pending (false: known to be in the outbox already). */
  ackPending = true,
) {
  await services.jobs.waitAcked(rec.id, undefined, ackPending);
  await services.outbox.send(
    inJob(rec, text, { kind, outputLines, events: said.events, actions: said.actions }),
  );
}

/** What a job's end says in chat, kept on its record until it is in the outbox (JobRecord.unsaid). */
export interface Unsaid {
  text: string;
  kind: "reply" | "alarm";
  outputLines?: number;
}

/**
 * The job's end is in the outbox: its record stops saying it is unsaid. Not waited
 * for (the job completes meanwhile); lost with a crash, the redelivery says it once more.
 */
export function saidEnd(services: Services, id: number): void {
  services.jobs
    .said(id)
    .catch((e: Error) => services.log.warn({ job: id, err: e.message }, "job's end not marked said"));
}

/**
 * A redelivered job whose worker died after writing its end and before saying it:
 * says it now, as it was (its events and buttons, not kept on the record, are left out).
 */
export async function sayUnsaid(services: Services, rec: JobRecord): Promise<void> {
  let end: Unsaid;
  try {
    end = JSON.parse(rec.unsaid!) as Unsaid;
  } catch {
    return;
  }
  services.log.info({ job: rec.id }, "saying the end of a job whose worker died before it could");
  await sayInJob(services, rec, end.text, end.kind, end.outputLines);
  saidEnd(services, rec.id);
}

/**
 * A job has ended and its end is said (or it had nothing to say): its record
 * stops saying its end is unsaid, and its new state is published for waiters,
 * both sent at once, without holding the worker slot for their round trip. The
 * record already says the state and the result is already in the outbox; a
 * waiter that misses the event reads the record (JobEvents.waitFor), and an
 * "unsaid" left by a failure here is said once more only if the job is redelivered.
 */
export function ended(
  services: Services,
  id: number,
  state: JobState,
  /** `run`: the job's kind and how long this run took, for the metrics (else they read the record). */
  o: { said: boolean; run?: { name: string; seconds: number } },
): void {
  Promise.all([
    o.said ? services.jobs.said(id) : undefined,
    services.events.publish({ id, state, ...o.run }),
  ]).catch((e: Error) =>
    services.log.warn(
      { job: id, state, err: e.message },
      "job's end not marked said, or its state not published; waiters read the record",
    ),
  );
}

/**
 * Ends a job's record and writes its audit entry in one script (one round trip,
 * both or neither: the record stays the source of truth a redelivery reads).
 * The state change is published only after the result is said, so whoever
 * waits for it finds the result in the outbox. Returns whether the job's ack
 * may still be pending.
 */
export async function finish(
  services: Services,
  id: number,
  patch: Partial<JobRecord>,
  audit: AuditEntry,
): Promise<boolean> {
  return services.jobs.end(id, patch, { key: services.audit.key, fields: services.audit.fields(audit) });
}
