import type { types } from "@slack/bolt";
import { formatDuration } from "../../core/duration.js";
import { formatUtc } from "../../core/time.js";
import { escapeMrkdwn, localTimes } from "./format.js";
import type { HomeData } from "./home-data.js";
import { OPEN_SCHEDULE_ACTION } from "./schedule-form.js";

/** Items a list shows before it is cut ("… and 4 more"); three lists stay far inside Slack's 100 blocks. */
export const LIST_MAX = 10;
const TEXT_MAX = 3000;
export const HOME_BLOCKS_MAX = 100;

const t = (ms: number) => localTimes(formatUtc(ms));
const e = escapeMrkdwn;
const linked = (text: string, url?: string) => (url ? `<${url}|${text}>` : text);
const section = (text: string) => ({
  type: "section",
  text: { type: "mrkdwn", text: text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text },
});
const context = (text: string) => ({ type: "context", elements: [{ type: "mrkdwn", text }] });
const header = (text: string) => ({ type: "header", text: { type: "plain_text", text } });

/** A list's items, at most LIST_MAX, then how many more and where to see them all. */
export function cutList(items: string[], empty: string, more?: string): unknown[] {
  if (!items.length) return [context(empty)];
  const shown: unknown[] = items.slice(0, LIST_MAX).map(section);
  const rest = items.length - LIST_MAX;
  if (rest > 0) shown.push(context(`… and ${rest} more${more ? `: ${linked("all of them", more)}` : ""}`));
  return shown;
}

const ACT = { "awaiting-ack": "to acknowledge", "awaiting-confirm": "to confirm" } as Record<string, string>;

/** The App Home tab: RC mode, downtimes, active runs, and what waits for the viewer. */
export function homeView(d: HomeData): types.HomeView {
  const rc = d.rc?.on
    ? `*RC mode is ON* since ${t(d.rc.since)}, by ${e(d.rc.by)}${d.rc.reason ? `: ${e(d.rc.reason)}` : ""}`
    : "RC mode is off.";
  const dts = d.downtimes.map(({ d: x, next, url }) => {
    const state =
      x.status === "started"
        ? `in progress since ${t(x.startedAt ?? x.start)}, window ends ${t(x.start + x.windowMs)}`
        : `${x.status}: ${t(x.start)} for ${formatDuration(x.windowMs)}`;
    const title = linked(`#${x.id}${x.title ? ` ${e(x.title)}` : ""}`, url);
    return `*${title}* — ${state}${next ? `\nNext announcement: ${next.kind} at ${t(next.due)}` : ""}`;
  });
  const runs = d.runs.map(({ run, step, url }) => {
    const name = linked(`${e(run.runbook)} #${run.seq}`, url);
    if (!step) return `*${name}* — all steps done`;
    const who = ACT[step.status]
      ? ` — waiting for ${step.role ? e(step.role) : "someone"} ${ACT[step.status]}`
      : "";
    return `*${name}* — step ${step.n}/${step.of} "${e(step.title)}": ${step.status}${who}`;
  });
  const mine = d.mine.map(
    (m) =>
      `${e(m.run.runbook)} #${m.run.seq}: "${e(m.title)}" — ${m.action === "ack" ? "acknowledge with `/changebot migrate ack`" : "confirm with `/changebot migrate confirm`"} in ${m.run.network === "slack" ? `<#${m.run.channel}>` : e(m.run.channel)}`,
  );
  const blocks = [
    header("changebot"),
    ...(d.maySchedule === false
      ? []
      : [
          {
            type: "actions",
            elements: [
              {
                type: "button",
                action_id: OPEN_SCHEDULE_ACTION,
                text: { type: "plain_text", text: "Schedule downtime" },
              },
            ],
          },
        ]),
    section(rc),
    header("Waiting for you"),
    ...cutList(mine, "Nothing waits for you."),
    header("Downtimes"),
    ...cutList(dts, "No downtime scheduled or in progress.", d.downtimesUrl),
    header("Active runs"),
    ...cutList(runs, "No runbook is running.", d.base),
  ];
  // Slack refuses a Home view of more than 100 blocks; the lists' cut keeps it far below.
  return { type: "home", blocks: blocks.slice(0, HOME_BLOCKS_MAX) as types.KnownBlock[] };
}
