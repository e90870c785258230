import { z } from "zod";
import {
  downtimes,
  pendingSlots,
  rescheduleAfterStart,
  scheduleSlots,
  setDowntimeTopic,
  unscheduleSlots,
} from "../announce/lifecycle.js";
import { planAbort, startTooEarly } from "../announce/plan.js";
import { parseDowntimeId } from "../announce/schedule-args.js";
import { describe, name, windowText } from "../announce/wording.js";
import { formatDuration } from "../core/duration.js";
import { UserError } from "../core/errors.js";
import { formatUtc, relative, when } from "../core/time.js";
import { announceNow, LEADS, planSummary } from "./downtime-common.js";
import { type Command, command } from "./types.js";

/** The downtime as it happens: start, done, abort. start/done may be run by a lead or a LOSA (they run the rollout). */
const words = z.array(z.string());
const RUNNERS = ["lead", "losa"];

const EARLY = "--early";

const start = command<string[]>({
  family: "downtime",
  name: "start",
  usage: "!downtime start <id> [--early]",
  summary:
    "record the real start of a downtime and set the topic segment; its end and the announcements after it move with the real start",
  example: "!downtime start 3",
  args: words,
  roles: RUNNERS,
  async run(ctx) {
    const s = ctx.services;
    const store = downtimes(s);
    const early = ctx.args.includes(EARLY);
    const d = await store.require(
      parseDowntimeId(
        ctx.args.find((w) => w !== EARLY),
        this.usage,
      ),
    );
    if (d.status !== "scheduled") throw new UserError(`Downtime #${d.id} is ${d.status}; it cannot start.`);
    const now = s.clock.now();
    const lead = s.config.downtime.leadTimes;
    const pause = startTooEarly(d, now, lead);
    if (pause !== undefined && !early) {
      await ctx.reply(
        `${name(d)} is planned for ${formatUtc(d.start)} (${relative(d.start, now)}); services may begin pausing only from ${formatUtc(pause)}. Starting it now begins its ${formatDuration(d.windowMs)} window ${formatDuration(d.start - now)} early, ending ${formatUtc(now + d.windowMs)}. Nothing was changed. To start it anyway: !downtime start ${d.id} ${EARLY}`,
      );
      return;
    }
    // The announcements of the plan not posted yet; those after the start move with it.
    const still = await pendingSlots(s, d);
    await unscheduleSlots(s, d);
    Object.assign(d, { status: "started", startedAt: now, startedBy: ctx.msg.user.display, rev: d.rev + 1 });
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
    await ctx.reply(`Started ${describe(d, now)}.`);
  },
});

const done = command<string[]>({
  family: "downtime",
  name: "done",
  usage: "!downtime done <id>",
  summary: "announce the downtime complete, restore the topic, record how long it took",
  example: "!downtime done 3",
  args: words,
  roles: RUNNERS,
  async run(ctx) {
    const s = ctx.services;
    const store = downtimes(s);
    const d = await store.require(parseDowntimeId(ctx.args[0], this.usage));
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
    await ctx.reply(
      `Done: ${describe(d, now)}${d.startedAt ? "" : " (from the planned start; !downtime start was not used)"}.`,
    );
  },
});

const abort = command<string[]>({
  family: "downtime",
  name: "abort",
  usage: "!downtime abort <id> [reason]",
  summary: "abort: announce, then move to the backup window if it gives enough notice, else ask for one",
  example: "!downtime abort 3 more than 30 minutes off track",
  args: words,
  roles: LEADS,
  async run(ctx) {
    const s = ctx.services;
    const store = downtimes(s);
    const d = await store.require(parseDowntimeId(ctx.args[0], this.usage));
    if (d.status !== "scheduled" && d.status !== "started")
      throw new UserError(`Downtime #${d.id} is ${d.status}; there is nothing to abort.`);
    const now = s.clock.now();
    const lead = s.config.downtime.leadTimes;
    const reason = ctx.args.slice(1).join(" ") || undefined;
    await unscheduleSlots(s, d);
    if (d.topicChannels || d.status === "started") await setDowntimeTopic(s, d, false);
    const decision = planAbort(d.backup, now, lead);
    const aborted = `${name(d)} is aborted${reason ? `: ${reason}` : ""}.`;
    Object.assign(d, { rev: d.rev + 1, reason, startedAt: undefined, startedBy: undefined });
    d.topicChannels = undefined;
    if (decision.kind === "backup") {
      Object.assign(d, { status: "scheduled", start: decision.start, backup: undefined, shortNotice: false });
      await store.save(d);
      const plan = await scheduleSlots(s, d);
      await announceNow(s, d, "aborted", `${aborted} Next attempt: the backup window, ${windowText(d)}.`);
      await ctx.reply(`Aborted; moved to the backup window: ${describe(d, now)}. ${planSummary(s, plan)}`);
      return;
    }
    Object.assign(d, { status: "aborted", needsWindow: true });
    await store.save(d);
    await announceNow(s, d, "aborted", aborted);
    const why =
      decision.backupTooSoon !== undefined
        ? `The backup window ${when(decision.backupTooSoon, now)} is less than ${formatDuration(lead.backupNotice)} away`
        : "There is no backup window";
    await ctx.reply(
      `Aborted. ${why}; the next attempt needs ${formatDuration(lead.backupNotice)} notice. Give me a window from ${formatUtc(decision.earliest)} (${relative(decision.earliest, now)}) on: !downtime move ${d.id} <start>. Nothing more is announced until then.`,
    );
  },
});

export const downtimeEnd: Command[] = [start, done, abort];
