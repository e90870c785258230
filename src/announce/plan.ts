import type { LeadTimes } from "../config/schema.js";

/**
 * The communication plan of one downtime (seed 001), as a pure function of the
 * downtime and `now`: which announcements are still to come, which were
 * missed, and whether the start is too close for the public reminder.
 */
export type SlotKind = "merge-cutoff" | "reminder" | "early-pause" | "start" | "off-track" | "overrun";

export const SLOT_KINDS: readonly SlotKind[] = [
  "merge-cutoff",
  "reminder",
  "early-pause",
  "start",
  "off-track",
  "overrun",
];

export interface PlanInput {
  start: number;
  windowMs: number;
}

export interface Slot {
  kind: SlotKind;
  due: number;
  /** After this moment the announcement no longer matters: a late one is dropped, not posted. */
  mattersUntil: number;
  /** engineers: the merge cut-off; public: everything else. */
  audience: "engineers" | "public";
}

export interface Plan {
  /** Announcements still to come, in time order. */
  slots: Slot[];
  /** Announcements whose moment had already passed when planned. */
  missed: Slot[];
  /** The start is closer than the public reminder's lead time (needs --short-notice). */
  shortNotice: boolean;
}

export function allSlots(d: PlanInput, lead: LeadTimes): Slot[] {
  const end = d.start + d.windowMs;
  const before = (kind: SlotKind, ms: number, audience: Slot["audience"] = "public"): Slot => ({
    kind,
    due: d.start - ms,
    mattersUntil: d.start,
    audience,
  });
  const slots: Slot[] = [
    before("merge-cutoff", lead.mergeCutoff, "engineers"),
    before("reminder", lead.reminder),
    before("early-pause", lead.earlyPause),
    { kind: "start", due: d.start, mattersUntil: end, audience: "public" },
    { kind: "off-track", due: d.start + lead.offTrack, mattersUntil: end, audience: "public" },
    { kind: "overrun", due: end, mattersUntil: end + d.windowMs, audience: "public" },
  ];
  return slots.sort((a, b) => a.due - b.due);
}

export function planAnnouncements(d: PlanInput, now: number, lead: LeadTimes): Plan {
  const slots = allSlots(d, lead);
  return {
    slots: slots.filter((s) => s.due >= now),
    missed: slots.filter((s) => s.due < now),
    shortNotice: d.start - now < lead.reminder,
  };
}

export type Delivery = { post: true; late: boolean; lateByMs: number } | { post: false; reason: string };

/**
 * What to do with an announcement the worker picks up at `now`: post it, post
 * it marked late (it came due while the bot was down but still matters), or
 * drop it (its moment has passed).
 */
export function deliveryDecision(
  s: Pick<Slot, "due" | "mattersUntil">,
  now: number,
  lateAfterMs: number,
): Delivery {
  const lateByMs = Math.max(0, now - s.due);
  if (now >= s.mattersUntil) return { post: false, reason: "its moment has passed" };
  return { post: true, late: lateByMs > lateAfterMs, lateByMs };
}

export type AbortDecision =
  | { kind: "backup"; start: number }
  | { kind: "need-window"; earliest: number; backupTooSoon?: number };

/** After an abort: the backup window if it gives the required notice, else ask for a window that does. */
export function planAbort(backup: number | undefined, now: number, lead: LeadTimes): AbortDecision {
  const earliest = now + lead.backupNotice;
  if (backup !== undefined && backup >= earliest) return { kind: "backup", start: backup };
  return { kind: "need-window", earliest, backupTooSoon: backup };
}

/** The slots that follow a downtime's start: they move with its real start. */
export const AFTER_START: readonly SlotKind[] = ["off-track", "overrun"];

/** When the window really begins: its real start once started, else the planned one. */
export const windowStart = (d: PlanInput & { startedAt?: number }) => d.startedAt ?? d.start;

/**
 * A real start earlier than the early-pause slot is far ahead of the plan
 * (services are not even asked to pause yet): it is asked to be confirmed.
 * Returns the early-pause moment when `now` is before it.
 */
export function startTooEarly(d: PlanInput, now: number, lead: LeadTimes): number | undefined {
  const pause = d.start - lead.earlyPause;
  return now < pause ? pause : undefined;
}

/**
 * The plan after a real start at `startedAt`: the slots that follow the start
 * (off-track, overrun), due from the real start, so a window started 30 minutes
 * late ends, and says so, 30 minutes later. Only the kinds in `still` (those not
 * yet posted) are kept: an announcement already made is not made again.
 */
export function planAfterStart(
  d: PlanInput,
  startedAt: number,
  now: number,
  lead: LeadTimes,
  still: readonly SlotKind[],
): Slot[] {
  return allSlots({ start: startedAt, windowMs: d.windowMs }, lead).filter(
    (s) => AFTER_START.includes(s.kind) && still.includes(s.kind) && s.mattersUntil > now,
  );
}
