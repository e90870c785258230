import ical, { ICalEventStatus } from "ical-generator";
import type { Downtime } from "./downtimes.js";
import { windowStart } from "./plan.js";
import { describe } from "./wording.js";

/**
 * The downtime schedule as iCalendar (RFC 5545), for calendar subscriptions.
 * Each downtime is one event whose UID stays the same across moves; SEQUENCE is
 * its plan revision, so a calendar updates the event instead of adding one.
 * Cancelled and aborted windows stay in the feed as CANCELLED.
 */
export function downtimesToIcs(
  list: readonly Downtime[],
  opts: { name: string; domain: string; now: number },
): string {
  const cal = ical({
    name: `${opts.name} downtimes`,
    prodId: { company: opts.name, product: "changebot", language: "EN" },
    ttl: 3600,
  });
  for (const d of list) {
    const off = d.status === "cancelled" || d.status === "aborted";
    // Once started, the window runs from its real start (an early or late start moves its end).
    const real = d.status === "done" || d.status === "started";
    const start = real ? windowStart(d) : d.start;
    const end = d.status === "done" && d.endedAt ? d.endedAt : start + d.windowMs;
    cal.createEvent({
      id: `downtime-${d.id}@${opts.domain}`,
      sequence: d.rev,
      start: new Date(start),
      end: new Date(end),
      stamp: new Date(opts.now),
      summary: `Downtime #${d.id}${d.title ? `: ${d.title}` : ""}`,
      description: describe(d, opts.now),
      status: off ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
