import type { Downtime } from "../../announce/downtimes.js";
import { windowStart } from "../../announce/plan.js";
import { slotText } from "../../announce/wording.js";
import { formatDuration } from "../../core/duration.js";
import type { Services } from "../../domain/services.js";
import type { SlotView } from "../data.js";
import { type Html, html, time } from "../html.js";

const stateWord = (d: Downtime) => (d.status === "started" ? "in progress" : d.status);

/** /downtimes: the schedule. */
export function renderDowntimes(list: readonly Downtime[]): Html {
  return html`<h1>Downtimes</h1>
  <p><a href="/downtimes.ics">Subscribe to the calendar (iCalendar)</a></p>
  ${
    list.length
      ? html`<table id="downtimes"><tr><th>#</th><th>Title</th><th>State</th><th>Start</th><th>Window</th><th>Backup</th></tr>
    ${[...list].reverse().map(
      (d) => html`<tr><td><a href="/downtimes/${d.id}">#${d.id}</a></td><td>${d.title}</td>
      <td><span class="st st-${d.status}">${stateWord(d)}</span></td><td>${time(d.start)}</td>
      <td>${formatDuration(d.windowMs)}</td><td>${time(d.backup)}</td></tr>`,
    )}</table>`
      : html`<p class="muted">No downtimes.</p>`
  }`;
}

/** /downtimes/<id>: one window, each announcement slot with its state, and its changes of plan. */
export function renderDowntime(
  s: Services,
  d: Downtime,
  slots: readonly SlotView[],
  history: readonly Record<string, string>[],
): Html {
  const lead = s.config.downtime.leadTimes;
  return html`<h1>Downtime #${d.id}${d.title ? html`: ${d.title}` : ""}
    <span class="st st-${d.status}" id="dt-status">${stateWord(d)}</span></h1>
  <table><tr><th>Start</th><td>${time(d.start)}</td></tr>
  <tr><th>Window</th><td>${formatDuration(d.windowMs)} (until ${time(windowStart(d) + d.windowMs)})</td></tr>
  ${d.backup ? html`<tr><th>Backup window</th><td>${time(d.backup)}</td></tr>` : ""}
  <tr><th>Scheduled by</th><td>${d.by} at ${time(d.createdAt)}${d.shortNotice ? " (short notice)" : ""}</td></tr>
  ${d.startedAt ? html`<tr><th>Started</th><td>${time(d.startedAt)}${d.startedBy ? ` by ${d.startedBy}` : ""}</td></tr>` : ""}
  ${d.endedAt ? html`<tr><th>Ended</th><td>${time(d.endedAt)}${d.durationMs !== undefined ? `, took ${formatDuration(d.durationMs)}` : ""}</td></tr>` : ""}
  ${d.reason ? html`<tr><th>Reason</th><td>${d.reason}</td></tr>` : ""}
  <tr><th>Plan revision</th><td>${d.rev}${d.rev > 1 ? ` (changed ${d.rev - 1} time${d.rev > 2 ? "s" : ""})` : ""}</td></tr>
  </table>
  ${d.needsWindow ? html`<p class="hint">Waiting for a new window: <code>!downtime move ${d.id} &lt;start&gt;</code></p>` : ""}
  <h2>Announcements</h2>
  <table id="slots"><tr><th>Slot</th><th>Due</th><th>State</th><th>For</th><th>Text</th></tr>
  ${slots.map(
    (x) => html`<tr data-slot="${x.kind}"><td>${x.kind}</td><td>${time(x.due)}</td>
    <td><span class="st st-${x.state}">${x.state}</span></td><td>${x.audience}</td><td>${slotText(x.kind, d, lead)}</td></tr>`,
  )}</table>
  <h2>Changes</h2>
  ${
    history.length
      ? html`<table><tr><th>When</th><th>Who</th><th>Command</th></tr>${history.map(
          (h) =>
            html`<tr><td>${h.at?.slice(0, 16).replace("T", " ")} UTC</td><td>${h.who}</td><td><code>${h.command}</code></td></tr>`,
        )}</table>`
      : html`<p class="muted">No moves or cancellations recorded.</p>`
  }`;
}
