import { type Downtime, isOpen } from "../../announce/downtimes.js";
import { runbooksOf } from "../../config/runbook-load.js";
import { runId } from "../../domain/pages.js";
import type { RcModeState } from "../../domain/rc-mode.js";
import type { RunState } from "../../domain/runbook/state.js";
import type { Services } from "../../domain/services.js";
import type { JobRecord } from "../../infra/job-store.js";
import { type Html, html, time } from "../html.js";

export interface OverviewData {
  runs: RunState[];
  downtimes: Downtime[];
  rc?: RcModeState;
  jobs: JobRecord[];
}

function currentStep(s: Services, run: RunState): string {
  const rb = runbooksOf(s.config).runbooks.get(run.runbook);
  if (run.status !== "active") return run.status;
  const st = rb?.steps[run.cursor];
  if (!st) return "all steps done";
  return `step ${run.cursor + 1}/${rb!.steps.length} "${st.title}": ${run.steps[run.cursor]?.status ?? "pending"}`;
}

/** /: active runs with their current step, downtimes to come and in progress, RC mode, recent jobs. */
export function renderOverview(s: Services, d: OverviewData): Html {
  const open = d.downtimes.filter(isOpen);
  const rc = d.rc?.on
    ? html`<span class="st st-running">ON</span> since ${time(d.rc.since)}, by ${d.rc.by}${d.rc.reason ? `: ${d.rc.reason}` : ""}`
    : html`<span class="st">off</span>`;
  return html`<h1>Overview</h1>
  <p>RC mode: ${rc}</p>
  <h2>Runs</h2>
  ${
    d.runs.length
      ? html`<table id="runs"><tr><th>Run</th><th>Where</th><th>Now</th><th>Started</th></tr>${d.runs.map(
          (
            r,
          ) => html`<tr><td><a href="/runs/${runId(r)}">${r.runbook} #${r.seq}</a>${r.rehearsal ? " REHEARSAL" : ""}</td><td>${r.network}:${r.channel}</td>
          <td>${currentStep(s, r)}</td><td>${time(r.startedAt)} by ${r.startedBy}</td></tr>`,
        )}</table>`
      : html`<p class="muted">No runs.</p>`
  }
  <h2>Downtimes</h2>
  ${
    open.length
      ? html`<table id="downtimes"><tr><th>#</th><th>Title</th><th>State</th><th>Start</th><th>Window</th></tr>${open.map(
          (x) => html`<tr><td><a href="/downtimes/${x.id}">#${x.id}</a></td><td>${x.title}</td>
          <td><span class="st st-${x.status}">${x.status === "started" ? "in progress" : x.status}</span></td>
          <td>${time(x.start)}</td><td>${Math.round(x.windowMs / 60_000)} min</td></tr>`,
        )}</table>`
      : html`<p class="muted">No downtime scheduled or in progress.</p>`
  }
  <h2>Recent jobs</h2>
  ${
    d.jobs.length
      ? html`<table id="jobs"><tr><th>#</th><th>What</th><th>State</th><th>Who</th><th>Queued</th></tr>${d.jobs.map(
          (j) => html`<tr><td><a href="/jobs/${j.id}">#${j.id}</a></td><td>${j.summary}</td>
          <td><span class="st st-${j.state}">${j.state}</span></td><td>${j.by}</td><td>${time(j.createdAt)}</td></tr>`,
        )}</table>`
      : html`<p class="muted">No jobs yet.</p>`
  }`;
}
