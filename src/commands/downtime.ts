import { z } from "zod";
import type { Downtime } from "../announce/downtimes.js";
import {
  downtimes,
  pendingSlots,
  scheduleSlots,
  setDowntimeTopic,
  unscheduleSlots,
} from "../announce/lifecycle.js";
import { parseDowntimeId, parseScheduleArgs } from "../announce/schedule-args.js";
import { describe, name, windowText } from "../announce/wording.js";
import { formatDuration } from "../core/duration.js";
import { UserError } from "../core/errors.js";
import { formatUtc, parseTime } from "../core/time.js";
import { downtimesPage } from "../domain/pages.js";
import type { Services } from "../domain/services.js";
import { announceNow, checkStart, hereNote, LEADS, planSummary } from "./downtime-common.js";
import { downtimeEnd } from "./downtime-end.js";
import { type Command, type CommandContext, command } from "./types.js";

/** !downtime: the schedule of downtime windows and the announcements around them (seed 001). */
const words = z.array(z.string());

const missedNote = (s: Services, d: Downtime) =>
  d.shortNotice
    ? ` Short notice: the ${formatDuration(s.config.downtime.leadTimes.reminder)} notice was missed.`
    : "";

const schedule = command<string[]>({
  family: "downtime",
  name: "schedule",
  usage: "!downtime schedule <start> [window=90m] [backup=<start>] [--short-notice] [title]",
  summary: "schedule a downtime window and its announcements",
  example: '!downtime schedule "2026-12-01 14:00 UTC" window=90m backup=2026-12-02T14:00Z DB deployment',
  args: words,
  roles: LEADS,
  async run(ctx) {
    const s = ctx.services;
    const a = parseScheduleArgs(ctx.args, this.usage);
    checkStart(s, a.start, a.shortNotice);
    const windowMs = a.windowMs ?? s.config.downtime.window;
    if (a.backup !== undefined && a.backup < a.start + windowMs)
      throw new UserError(`The backup window (${formatUtc(a.backup)}) must start after this window ends.`);
    const now = s.clock.now();
    const lead = s.config.downtime.leadTimes;
    const d = await downtimes(s).create({
      title: a.title,
      start: a.start,
      windowMs,
      backup: a.backup,
      status: "scheduled",
      rev: 1,
      by: ctx.msg.user.display,
      createdAt: now,
      shortNotice: a.start - now < lead.reminder,
      channel: `${ctx.msg.network}:${ctx.msg.channel}`,
    });
    const plan = await scheduleSlots(s, d);
    const backup = d.backup ? ` Backup window: ${formatUtc(d.backup)}.` : "";
    const said = await announceNow(
      s,
      d,
      "scheduled",
      `${name(d)} scheduled: ${windowText(d)}.${backup}${missedNote(s, d)}`,
    );
    await ctx.reply(
      `Scheduled ${describe(d, now)}.${missedNote(s, d)} ${planSummary(s, plan)}${hereNote(said)}`,
    );
  },
});

const list = command<string[]>({
  family: "downtime",
  name: "list",
  usage: "!downtime list [all]",
  summary: "downtimes to come and in progress (all: also past ones)",
  args: z.array(z.literal("all", { error: 'expected nothing or "all"' })).max(1),
  roles: [],
  async run(ctx) {
    const s = ctx.services;
    const now = s.clock.now();
    const shown = (await downtimes(s).all()).filter(
      (d) => ctx.args.length > 0 || d.status === "scheduled" || d.status === "started" || d.needsWindow,
    );
    if (!shown.length) return ctx.reply("No downtimes scheduled.");
    const lines = [];
    for (const d of shown) {
      const pending = d.status === "scheduled" ? await pendingSlots(s, d) : [];
      lines.push(`${describe(d, now)}${pending.length ? ` — next: ${pending[0]}` : ""}`);
    }
    const more = lines.length > 1 ? ` (and ${lines.length - 1} more)` : "";
    await ctx.reply(lines.join("\n"), { page: downtimesPage, brief: `${lines[0]}${more}` });
  },
});

async function openDowntime(ctx: CommandContext<string[]>, usage: string, allowNeedsWindow = false) {
  const d = await downtimes(ctx.services).require(parseDowntimeId(ctx.args[0], usage));
  const ok = d.status === "scheduled" || d.status === "started" || (allowNeedsWindow && d.needsWindow);
  if (!ok) throw new UserError(`Downtime #${d.id} is ${d.status}; nothing to change.`);
  return d;
}

/** A downtime that can still be cancelled or moved: scheduled (or waiting for a new window), not in progress. */
async function notStartedDowntime(ctx: CommandContext<string[]>, usage: string) {
  const d = await openDowntime(ctx, usage, true);
  if (d.status === "started")
    throw new UserError(`Downtime #${d.id} is in progress: use !downtime done or abort.`);
  return d;
}

const cancel = command<string[]>({
  family: "downtime",
  name: "cancel",
  usage: "!downtime cancel <id> [reason]",
  summary: "cancel a downtime and every announcement still to come",
  example: "!downtime cancel 3 staging restore failed",
  args: words,
  roles: LEADS,
  async run(ctx) {
    const s = ctx.services;
    const d = await notStartedDowntime(ctx, this.usage);
    await unscheduleSlots(s, d);
    Object.assign(d, {
      status: "cancelled",
      rev: d.rev + 1,
      reason: ctx.args.slice(1).join(" ") || undefined,
    });
    d.needsWindow = undefined;
    await downtimes(s).save(d);
    if (d.topicChannels) await setDowntimeTopic(s, d, false);
    await announceNow(s, d, "cancelled", `${name(d)} is cancelled${d.reason ? `: ${d.reason}` : ""}.`);
    await ctx.reply(`Cancelled ${describe(d, s.clock.now())}; its announcements are withdrawn.`);
  },
});

const move = command<string[]>({
  family: "downtime",
  name: "move",
  usage: "!downtime move <id> <start> [--short-notice]",
  summary: "move a downtime: every announcement is rescheduled, the change announced",
  example: '!downtime move 3 "2026-12-02 14:00 UTC"',
  args: words,
  roles: LEADS,
  async run(ctx) {
    const s = ctx.services;
    const d = await notStartedDowntime(ctx, this.usage);
    const rest = ctx.args.slice(1).filter((w) => w !== "--short-notice");
    if (!rest.length) throw new UserError(`missing the new start — usage: ${this.usage}`);
    const start = parseTime(rest).at;
    const now = s.clock.now();
    const lead = s.config.downtime.leadTimes;
    if (d.needsWindow && start < now + lead.backupNotice)
      throw new UserError(
        `After an abort the next attempt needs ${formatDuration(lead.backupNotice)} notice: pick a start from ${formatUtc(now + lead.backupNotice)} on.`,
      );
    checkStart(s, start, ctx.args.includes("--short-notice"));
    await unscheduleSlots(s, d);
    if (d.topicChannels) await setDowntimeTopic(s, d, false);
    const from = d.start;
    Object.assign(d, {
      start,
      rev: d.rev + 1,
      status: "scheduled",
      shortNotice: start - now < lead.reminder,
    });
    d.needsWindow = undefined;
    d.topicChannels = undefined;
    await downtimes(s).save(d);
    const plan = await scheduleSlots(s, d);
    await announceNow(
      s,
      d,
      "moved",
      `${name(d)} moved from ${formatUtc(from)} to ${windowText(d)}.${missedNote(s, d)}`,
    );
    await ctx.reply(`Moved ${describe(d, now)}.${missedNote(s, d)} ${planSummary(s, plan)}`);
  },
});

export const downtimeCommands: Command[] = [schedule, list, cancel, move, ...downtimeEnd];
