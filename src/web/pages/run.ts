import { OFF_TRACK_DEFAULT, type Runbook, type Step } from "../../config/runbook.js";
import { formatDuration } from "../../core/duration.js";
import { boundStep, describeStep, type RunbookEnv, runbooks } from "../../domain/runbook/context.js";
import { defaultAbortRule, planTimes, planTimesText, slippage } from "../../domain/runbook/estimate.js";
import type { StepKinds } from "../../domain/runbook/kinds/types.js";
import type { RunState, StepRun } from "../../domain/runbook/state.js";
import type { Services } from "../../domain/services.js";
import { type Html, html, time } from "../html.js";
import { timelineSvg } from "./timeline.js";

/** /runs/<id>: the plan with every step's state, who and when, loops, the downtime, and the timeline picture. */
const took = (sr: StepRun | undefined, now: number) =>
  sr?.startedAt ? formatDuration((sr.finishedAt ?? now) - sr.startedAt) : "";

/** What to type next, as chat would say it; the page never runs it. */
function nextCommand(run: RunState, rb: Runbook | undefined): string {
  if (run.status !== "active") return "";
  const sr = run.steps[run.cursor];
  if (!rb || !sr || run.cursor >= rb.steps.length) return "";
  switch (sr.status) {
    case "awaiting-ack":
      return "!migrate ack";
    case "awaiting-confirm":
      return "!migrate confirm";
    case "failed":
    case "interrupted":
      return "!migrate retry (or !migrate skip <reason>)";
    case "pending":
      return "!migrate next";
    default:
      return "";
  }
}

/** The step with the run's parameters in it; the runbook's own text if one is missing (a changed runbook). */
function boundSafely(env: RunbookEnv, run: RunState, i: number): Step | undefined {
  try {
    return boundStep(env, run, i);
  } catch {
    return undefined;
  }
}

/**
 * The plan in time: the estimates added up; inside the downtime, how far behind
 * (or ahead of) them the run is now; the off-track alarm once it was raised.
 */
function planInTime(rb: Runbook | undefined, run: RunState, now: number): Html | string {
  if (!rb) return "";
  const times = planTimes(rb, run.params);
  const slip = run.status === "active" ? slippage(rb, run, now) : undefined;
  const offTrack = rb.offTrack ?? OFF_TRACK_DEFAULT;
  const alarm = run.downtime.offTrackAt;
  return html`${
    times
      ? html`<p id="plan-times">${planTimesText(times)}${
          slip
            ? html`; now <strong>${slip.behind > 0 ? `${formatDuration(slip.behind)} behind` : `${formatDuration(-slip.behind)} ahead of`}</strong> the plan (${formatDuration(slip.elapsed)} since the downtime began, steps planned at ${formatDuration(slip.planned)}; the alarm comes past ${formatDuration(offTrack)} behind)`
            : ""
        }</p>`
      : ""
  }${
    alarm !== undefined
      ? html`<p class="hint st-failed" id="off-track"><strong>OFF TRACK</strong> since ${time(alarm)}: more than ${formatDuration(offTrack)} behind the plan inside the downtime. ${rb.abortRule ?? defaultAbortRule(offTrack)}${
          run.downtime.linked !== undefined
            ? html` (downtime #${run.downtime.linked}: <code>!downtime abort ${run.downtime.linked}</code>)`
            : ""
        }</p>`
      : ""
  }`;
}

export function renderRun(s: Services, kinds: StepKinds, run: RunState): Html {
  const now = s.clock.now();
  const env = { services: s, kinds };
  const rb = runbooks(env).runbooks.get(run.runbook);
  // Each step as this run does it: the run's parameters filled in.
  const bound = rb ? rb.steps.map((_, i) => boundSafely(env, run, i)) : [];
  const titles = rb
    ? bound.map((st, i) => st?.title ?? rb.steps[i]!.title)
    : run.steps.map((_, i) => `step ${i + 1}`);
  const cmd = nextCommand(run, rb);
  const linkedTo =
    run.downtime.linked !== undefined
      ? html` (downtime <a href="/downtimes">#${run.downtime.linked}</a>)`
      : "";
  const downtime =
    run.downtime.start !== undefined
      ? html`<p>Downtime${linkedTo}: from ${time(run.downtime.start)}${
          run.downtime.end !== undefined
            ? html` to ${time(run.downtime.end)}, <strong>${formatDuration(run.downtime.end - run.downtime.start)}</strong>`
            : html`, still down (${formatDuration(now - run.downtime.start)} so far)`
        }</p>`
      : "";
  const loops = Object.values(run.loops);
  return html`<h1>${rb?.title ?? run.runbook} — run #${run.seq}
    <span class="st st-${run.status}" id="run-status">${run.status}</span>${
      run.rehearsal ? html` <span class="st st-rehearsal" id="run-rehearsal">REHEARSAL</span>` : ""
    }</h1>${
      run.rehearsal
        ? html`
  <p class="hint">A rehearsal: its commands were shown, not run; nothing was announced or changed.</p>`
        : ""
    }
  <p class="muted">${run.runbook} in ${run.network}:${run.channel}, started by ${run.startedBy} at ${time(run.startedAt)}${
    run.endedAt ? html`, ended ${time(run.endedAt)} after ${formatDuration(run.endedAt - run.startedAt)}` : ""
  }${Object.keys(run.params).length ? html`; ${Object.entries(run.params).map(([k, v]) => html`<code>${k}=${v}</code> `)}` : ""}</p>
  ${cmd ? html`<p class="hint">Next, type in the run's channel: <code>${cmd}</code></p>` : ""}
  ${planInTime(rb, run, now)}
  ${downtime}
  ${timelineSvg(run, titles, now)}
  <h2>Plan</h2>
  <table id="plan"><tr><th>#</th><th>Step</th><th>State</th><th>Who</th><th>Planned</th><th>Started</th><th>Took</th></tr>
  ${titles.map((title, i) => {
    const sr = run.steps[i];
    const st = bound[i] ?? rb?.steps[i];
    const who = [
      sr?.by ? `ran: ${sr.by}` : "",
      sr?.ackBy ? `acked: ${sr.ackBy}` : "",
      sr?.confirmBy ? `confirmed: ${sr.confirmBy}` : "",
      sr?.undoBy ? `undone: ${sr.undoBy}` : "",
    ].filter(Boolean);
    return html`<tr data-step="${i + 1}"${i === run.cursor && run.status === "active" ? html` class="current"` : ""}>
      <td>${i + 1}</td><td>${title}${st ? html`<br><span class="muted">${describeStep({ services: s, kinds }, st)}${st.irreversible ? " · irreversible" : ""}</span>` : ""}${
        sr?.note ? html`<br><span class="muted">note: ${sr.note}</span>` : ""
      }${sr?.result ? html`<br><span class="muted">${sr.result}</span>` : ""}${
        sr?.jobs.length ? html`<br>${sr.jobs.map((j) => html`<a href="/jobs/${j}">#${j}</a> `)}` : ""
      }</td>
      <td><span class="st st-${sr?.status ?? "pending"}">${sr?.status ?? "pending"}</span></td>
      <td>${who.join(", ")}</td><td>${st?.estimate !== undefined ? formatDuration(st.estimate) : ""}</td><td>${time(sr?.startedAt)}</td><td>${took(sr, now)}</td></tr>`;
  })}</table>
  ${
    loops.length
      ? html`<h2>Loops</h2><table><tr><th>Loop</th><th>Every</th><th>Iterations</th><th>Failures</th><th>State</th><th>Last</th></tr>
    ${loops.map(
      (l) =>
        html`<tr><td>${l.name}</td><td>${formatDuration(l.every)}</td><td>${l.iterations}</td><td>${l.failures}</td><td>${
          l.stopped ? html`stopped ${time(l.stoppedAt)}` : html`next ${time(l.nextAt)}`
        }</td><td>${l.last ?? ""}</td></tr>`,
    )}</table>`
      : ""
  }
  <h2>Timeline</h2>
  <table><tr><th>When</th><th>Who</th><th>What</th></tr>
  ${run.timeline.map((e) => html`<tr><td>${time(e.at)}</td><td>${e.who}</td><td>${e.what}</td></tr>`)}</table>`;
}
