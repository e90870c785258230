import { type Announced, NO_TARGETS } from "../announce/announcer.js";
import type { Plan } from "../announce/plan.js";
import { formatDuration } from "../core/duration.js";
import { UserError } from "../core/errors.js";
import { formatUtc, when } from "../core/time.js";
import type { Services } from "../domain/services.js";

/** Shared by the !downtime commands. */
export const LEADS = ["lead"];

export { announceNow } from "../announce/downtime-run.js";

/** Said in the reply when announcements go to the channel for want of targets. */
export const hereNote = (a: Announced) =>
  a.here ? ` Its announcements go to this channel (${NO_TARGETS}).` : "";

export function planSummary(s: Services, plan: Plan): string {
  const now = s.clock.now();
  const next = plan.slots.map((x) => `${x.kind} ${when(x.due, now)}`).join("; ");
  const missed = plan.missed;
  return `Announcements: ${next}.${missed.length ? ` Already past, not announced: ${missed.map((x) => x.kind).join(", ")}.` : ""}`;
}

/** Rejects a start the plan cannot honour: in the past, or inside the reminder's lead time without --short-notice. */
export function checkStart(s: Services, start: number, shortNotice: boolean): void {
  const now = s.clock.now();
  const lead = s.config.downtime.leadTimes;
  if (start <= now) throw new UserError(`${formatUtc(start)} is in the past (it is ${formatUtc(now)} now).`);
  if (start - now < lead.reminder && !shortNotice)
    throw new UserError(
      `${when(start, now)} is less than ${formatDuration(lead.reminder)} away, so the ${formatDuration(lead.reminder)} notice would be missed. Add --short-notice to schedule it anyway.`,
    );
}
