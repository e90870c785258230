import type { LeadTimes } from "../config/schema.js";
import { formatDuration } from "../core/duration.js";
import { formatHhmm, formatUtc, relative, when } from "../core/time.js";
import type { Downtime } from "./downtimes.js";
import { type SlotKind, windowStart } from "./plan.js";

/** The words of each announcement; times always in UTC, with the time left where it helps. */
export const name = (d: Pick<Downtime, "id" | "title">) =>
  `Downtime #${d.id}${d.title ? ` (${d.title})` : ""}`;

export const windowText = (d: Pick<Downtime, "start" | "windowMs">) =>
  `${formatUtc(d.start)}–${formatHhmm(d.start + d.windowMs)} UTC (${formatDuration(d.windowMs)})`;

export function slotText(kind: SlotKind, d: Downtime, lead: LeadTimes): string {
  const n = name(d);
  const offTrack = formatDuration(lead.offTrack);
  switch (kind) {
    case "merge-cutoff":
      return `Engineers: merge cut-off for ${n}, window ${windowText(d)} (in ${formatDuration(lead.mergeCutoff)}). Request the merge of your DB changes now; later ones wait for the next downtime.`;
    case "reminder":
      return `Reminder: ${n} starts ${formatUtc(d.start)} (in ${formatDuration(lead.reminder)}), window ${windowText(d)}.`;
    case "early-pause":
      return `${n} starts in ${formatDuration(lead.earlyPause)} (${formatUtc(d.start)}): services may begin pausing from now.`;
    case "start":
      return `${n} has begun: window ${windowText(d)}.`;
    case "off-track":
      return `${n} is ${offTrack} in: if the rollout is more than ${offTrack} off track, abort it (!downtime abort ${d.id}).`;
    case "overrun":
      return `${n} window ended at ${formatHhmm(windowStart(d) + d.windowMs)} UTC and it is not marked done: it is overrunning (!downtime done ${d.id} when finished).`;
  }
}

/** The line a late announcement starts with. */
export const lateMark = (due: number, now: number) =>
  `[late: was due ${formatUtc(due)}, ${relative(due, now)}] `;

export function describe(d: Downtime, now: number): string {
  const head = `#${d.id} ${d.title ? `"${d.title}" ` : ""}`;
  const backup = d.backup ? `, backup ${formatUtc(d.backup)}` : "";
  switch (d.status) {
    case "scheduled":
      return `${head}${when(d.start, now)} for ${formatDuration(d.windowMs)}${backup}${d.shortNotice ? ", short notice" : ""}`;
    case "started":
      return `${head}in progress since ${formatUtc(d.startedAt ?? d.start)} (${relative(d.startedAt ?? d.start, now)}), window ends ${when(windowStart(d) + d.windowMs, now)}`;
    case "done":
      return `${head}done ${when(d.endedAt ?? now, now)}, took ${formatDuration(d.durationMs ?? 0)} of its ${formatDuration(d.windowMs)} window`;
    case "cancelled":
      return `${head}cancelled (was ${when(d.start, now)})${d.reason ? `: ${d.reason}` : ""}`;
    case "aborted":
      return `${head}aborted (window ${when(d.start, now)})${d.reason ? `: ${d.reason}` : ""}${d.needsWindow ? `; waiting for a new window (!downtime move ${d.id} <start>)` : ""}`;
  }
}
