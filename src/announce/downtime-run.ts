import { formatDuration } from "../core/duration.js";
import { UserError } from "../core/errors.js";
import { formatUtc } from "../core/time.js";
import type { Services } from "../domain/services.js";
import type { Announced } from "./announcer.js";
import type { Downtime } from "./downtimes.js";
import {
  downtimes,
  homeOf,
  pendingSlots,
  rescheduleAfterStart,
  scheduleSlots,
  setDowntimeTopic,
  slotKey,
  unscheduleSlots,
} from "./lifecycle.js";
import { name } from "./wording.js";

/**
 * A downtime as it happens: started, done, and the reverse of each. `!downtime
 * start|done` and a runbook's downtime markers bound to a downtime
 * (`!migrate start … downtime=3`) both go through these, so the record, the
 * topic segment and the announcements are the same whichever way it was asked.
 */

/** Posted at once to every announcement target (else the downtime's channel), under an id that makes a repeat a no-op. */
export async function announceNow(s: Services, d: Downtime, event: string, text: string): Promise<Announced> {
  return s.announcer.announce(text, {
    id: `${slotKey(d, "start").replace(/-start$/, "")}-${event}`,
    here: homeOf(s, d),
    meta: { kind: `downtime-${event}`, downtime: d.id, start: d.start },
  });
}

/** Why downtime #id cannot start now, or undefined. */
export function cannotStart(d: Downtime): string | undefined {
  return d.status === "scheduled" ? undefined : `Downtime #${d.id} is ${d.status}; it cannot start.`;
}

/**
 * Records the real start: status, who, the topic segment, the announcement. The
 * window's end and the announcements after the start that are not posted yet
 * move with the real start. Returns the downtime as saved.
 */
export async function startDowntime(s: Services, id: number, by: string, run?: string): Promise<Downtime> {
  const store = downtimes(s);
  const d = await store.require(id);
  const why = cannotStart(d);
  if (why) throw new UserError(why);
  const now = s.clock.now();
  // The announcements of the plan not posted yet; those after the start move with it.
  const still = await pendingSlots(s, d);
  await unscheduleSlots(s, d);
  Object.assign(d, { status: "started", startedAt: now, startedBy: by, rev: d.rev + 1 });
  if (run) d.run = run;
  d.topicChannels = await setDowntimeTopic(s, d, true);
  await store.save(d);
  await rescheduleAfterStart(s, d, still);
  const offset = now - d.start;
  const moved = Math.abs(offset) >= 60_000;
  const vs = moved
    ? `${formatDuration(Math.abs(offset))} ${offset > 0 ? "after" : "before"} the planned ${formatUtc(d.start)}`
    : "on time";
  const ends = moved ? ` The window now ends ${formatUtc(now + d.windowMs)}.` : "";
  await announceNow(s, d, "started", `${name(d)} has started (${formatUtc(now)}, ${vs}).${ends}`);
  return d;
}

/** Marks it done: how long it took, the remaining announcements withdrawn, the topic restored, announced. */
export async function finishDowntime(s: Services, id: number): Promise<Downtime> {
  const store = downtimes(s);
  const d = await store.require(id);
  const now = s.clock.now();
  const begun = d.status === "started" || (d.status === "scheduled" && now >= d.start);
  if (!begun)
    throw new UserError(`Downtime #${d.id} is ${d.status === "scheduled" ? "not started yet" : d.status}.`);
  const from = d.startedAt ?? d.start;
  Object.assign(d, { status: "done", endedAt: now, durationMs: now - from, rev: d.rev + 1 });
  await unscheduleSlots(s, { ...d, rev: d.rev - 1 });
  await setDowntimeTopic(s, d, false);
  await store.save(d);
  const over =
    d.durationMs! > d.windowMs ? `, ${formatDuration(d.durationMs! - d.windowMs)} over the window` : "";
  await announceNow(
    s,
    d,
    "done",
    `${name(d)} is complete: it took ${formatDuration(d.durationMs!)} (window ${formatDuration(d.windowMs)}${over}).`,
  );
  return d;
}

/**
 * Undoes a start (a run undoing its downtime-start marker): the downtime is
 * scheduled again as it was, its topic segment goes, and that is announced;
 * its announcements go on only if its planned start is still ahead.
 * Nothing when it is not in progress.
 */
export async function unstartDowntime(s: Services, id: number, why: string): Promise<Downtime | undefined> {
  const store = downtimes(s);
  const d = await store.get(id);
  if (d?.status !== "started") return undefined;
  await setDowntimeTopic(s, d, false);
  await unscheduleSlots(s, d);
  Object.assign(d, { status: "scheduled", rev: d.rev + 1 });
  for (const k of ["startedAt", "startedBy", "topicChannels", "run"] as const) delete d[k];
  await store.save(d);
  // Before its planned start its plan goes on (the start itself included); once that has passed,
  // nothing is announced by itself until someone moves or aborts it.
  const ahead = s.clock.now() < d.start;
  if (ahead) await scheduleSlots(s, d);
  const next = ahead
    ? ""
    : ` Its planned start has passed: !downtime move ${d.id} <start> or !downtime abort ${d.id}.`;
  await announceNow(s, d, "unstarted", `${name(d)} has not started after all (${why}).${next}`);
  return d;
}

/**
 * Undoes a done (a run undoing its downtime-end marker): the downtime is in
 * progress again, with its topic segment and the announcements still to come.
 */
export async function reopenDowntime(s: Services, id: number, why: string): Promise<Downtime | undefined> {
  const store = downtimes(s);
  const d = await store.get(id);
  if (d?.status !== "done") return undefined;
  Object.assign(d, { status: "started", rev: d.rev + 1 });
  for (const k of ["endedAt", "durationMs"] as const) delete d[k];
  d.topicChannels = await setDowntimeTopic(s, d, true);
  await store.save(d);
  await rescheduleAfterStart(s, d, ["overrun"]);
  await announceNow(s, d, "reopened", `${name(d)} is not over after all (${why}): in progress again.`);
  return d;
}
