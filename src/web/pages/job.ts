import { formatDuration } from "../../core/duration.js";
import type { JobRecord } from "../../infra/job-store.js";
import { type Html, html, time } from "../html.js";

/** /jobs/<id>: the job's record (the part that updates live); its log is below, appended as it grows. */
export function renderJobHead(r: JobRecord, now: number): Html {
  const took = r.startedAt ? formatDuration((r.finishedAt ?? now) - r.startedAt) : "";
  return html`<h1>Job #${r.id}: ${r.summary} <span class="st st-${r.state}" id="job-state">${r.state}</span></h1>
  <table><tr><th>Kind</th><td>${r.name}</td></tr>
  <tr><th>Asked by</th><td>${r.by} in ${r.network}:${r.channel}</td></tr>
  <tr><th>Queued</th><td>${time(r.createdAt)}</td></tr>
  <tr><th>Started</th><td>${time(r.startedAt)}${r.runs > 1 ? ` (run ${r.runs} times)` : ""}</td></tr>
  <tr><th>Finished</th><td>${time(r.finishedAt)}${took ? ` — took ${took}` : ""}</td></tr>
  ${r.exit !== undefined ? html`<tr><th>Exit</th><td>${r.exit}</td></tr>` : ""}
  ${r.result ? html`<tr><th>Result</th><td>${r.result}</td></tr>` : ""}
  ${r.resolution ? html`<tr><th>Resolution</th><td>${r.resolution}</td></tr>` : ""}
  </table>`;
}

export function renderJobLog(log: string): Html {
  return html`<h2>Log</h2><pre class="log" id="log">${log}</pre>`;
}
