import { refuseInRehearsal } from "../domain/rehearsal-guard.js";
import { runBoundTo } from "../domain/runbook/state.js";
import type { Services } from "../domain/services.js";
import { configuredChannels, setManagedSegment } from "../domain/topic-publish.js";
import { AnnounceScheduler } from "./delayed.js";
import type { DeliveryHooks } from "./deliver.js";
import { type Downtime, DowntimeStore, isOpen } from "./downtimes.js";
import {
  AFTER_START,
  allSlots,
  planAfterStart,
  planAnnouncements,
  SLOT_KINDS,
  type Slot,
  type SlotKind,
  windowStart,
} from "./plan.js";
import { slotText } from "./wording.js";

/** Glue between the downtime records, their plan and the delayed announcement jobs. */
export const TOPIC_OWNER = "downtime";

/** The downtimes; a rehearsal's services may read them but never change one. */
export const downtimes = (s: Services) =>
  new DowntimeStore(s.redis, s.prefix, () => refuseInRehearsal(s, "downtimes"));
export const scheduler = (s: Services) => new AnnounceScheduler(s.queues, s.clock);

/** dt-<id>-r<rev>-<slot>: one job per slot and revision of the plan. */
export const slotKey = (d: Pick<Downtime, "id" | "rev">, kind: SlotKind) => `dt-${d.id}-r${d.rev}-${kind}`;

/**
 * Where a downtime's announcements go when no `announce:` target is configured:
 * the channel it was scheduled in; for a downtime that does not know it, every
 * channel the bot is configured in.
 */
export const homeOf = (s: Services, d: Pick<Downtime, "channel">): string[] =>
  d.channel ? [d.channel] : configuredChannels(s);

/** Schedules every announcement of the downtime's plan still to come; returns the plan. */
export async function scheduleSlots(s: Services, d: Downtime) {
  refuseInRehearsal(s, "a downtime's announcements");
  const plan = planAnnouncements(d, s.clock.now(), s.config.downtime.leadTimes);
  await scheduleSlotList(s, d, plan.slots);
  return plan;
}

/**
 * After a real start (`d.startedAt`, `d.rev` already bumped): the announcements
 * that follow the start, due from the real start; `still` are the kinds the
 * previous revision had not posted yet, so none is made twice. Returns them.
 */
export async function rescheduleAfterStart(s: Services, d: Downtime, still: readonly SlotKind[]) {
  const slots = planAfterStart(d, windowStart(d), s.clock.now(), s.config.downtime.leadTimes, still);
  await scheduleSlotList(s, d, slots);
  return slots;
}

async function scheduleSlotList(s: Services, d: Downtime, slots: readonly Slot[]): Promise<void> {
  refuseInRehearsal(s, "a downtime's announcements");
  const lead = s.config.downtime.leadTimes;
  const sched = scheduler(s);
  for (const slot of slots) {
    await sched.schedule({
      key: slotKey(d, slot.kind),
      due: slot.due,
      mattersUntil: slot.mattersUntil,
      text: slotText(slot.kind, d, lead),
      kind: slot.kind === "overrun" || slot.kind === "off-track" ? "alarm" : "announce",
      here: homeOf(s, d),
      meta: { kind: `downtime-${slot.kind}`, downtime: d.id, audience: slot.audience, start: d.start },
      guard: { downtime: d.id, rev: d.rev, slot: slot.kind },
    });
  }
}

/** Removes every waiting announcement of this revision of the plan. */
export async function unscheduleSlots(s: Services, d: Downtime): Promise<void> {
  refuseInRehearsal(s, "a downtime's announcements");
  const sched = scheduler(s);
  for (const kind of SLOT_KINDS) await sched.unschedule(slotKey(d, kind)).catch(() => false);
}

/** Keys of this downtime's plan that are still waiting to be posted. */
export async function pendingSlots(s: Services, d: Downtime): Promise<SlotKind[]> {
  const waiting = new Set(await scheduler(s).waitingKeys());
  return allSlots(d, s.config.downtime.leadTimes)
    .map((x) => x.kind)
    .filter((k) => waiting.has(slotKey(d, k)));
}

export async function setDowntimeTopic(s: Services, d: Downtime, on: boolean): Promise<string[]> {
  const channels = on ? configuredChannels(s) : (d.topicChannels ?? configuredChannels(s));
  await setManagedSegment(s, TOPIC_OWNER, on ? s.config.downtime.segment : undefined, channels);
  return channels;
}

export function downtimeHooks(s: Services): DeliveryHooks {
  return {
    async stillWanted(a) {
      if (!a.guard) return true;
      const d = await downtimes(s).get(a.guard.downtime);
      if (!d || d.rev !== a.guard.rev || !isOpen(d)) return false;
      // A runbook run drives it: its off-track alarm is measured against the steps' estimates instead.
      if (a.guard.slot === "off-track" && d.run) return false;
      // A run bound to it (downtime=N) starts it at its marker: the automatic start would set the
      // topic while the downtime is still scheduled and the run has not reached its marker.
      if (a.guard.slot === "start" && d.status === "scheduled" && (await runBoundTo(s, d.id))) return false;
      // Once someone has started it by hand, the automatic start and the reminders before it are moot.
      return d.status === "scheduled" || AFTER_START.includes(a.guard.slot as SlotKind);
    },
    async before(a) {
      if (a.guard?.slot !== "start") return;
      const store = downtimes(s);
      const d = await store.get(a.guard.downtime);
      if (!d) return;
      d.topicChannels = await setDowntimeTopic(s, d, true);
      await store.save(d);
    },
  };
}
