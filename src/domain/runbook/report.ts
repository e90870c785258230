import type { Runbook } from "../../config/runbook.js";
import { bindStep } from "../../config/runbook-params.js";
import { formatDuration } from "../../core/duration.js";
import { formatUtcStamp as utcStamp, formatUtcTime as utcTime } from "../../core/time.js";
import { notApplicable } from "./conditions.js";
import { type RunbookEnv, runbookOf } from "./context.js";
import type { PlanLine } from "./events.js";
import type { StepKinds } from "./kinds/types.js";
import type { RunState, StepRun } from "./state.js";

/** What `!migrate start`, `status`, `log` and `list` show. */

export function planLines(kinds: StepKinds, rb: Runbook, params: Record<string, string>): PlanLine[] {
  return rb.steps.map((raw, i) => {
    const s = bindStep(raw, params);
    const kind = kinds.of(s);
    const flags = [
      kind.tag?.(s) ?? s.kind,
      s.irreversible ? "IRREVERSIBLE" : "",
      s.undo || kind.revert ? "undoable" : "",
      s.pause ? "pause" : "",
    ].filter(Boolean);
    const skipped = notApplicable(rb, i, params);
    if (skipped) flags.push(`skipped (${skipped})`);
    return {
      n: i + 1,
      title: s.title,
      flags,
      ...(kind.begin === "ack" ? { manual: true } : {}),
      ...(skipped ? { skipped: true } : {}),
    };
  });
}

const took = (a?: number, b?: number) => (a !== undefined && b !== undefined ? formatDuration(b - a) : "");

function stepLine(env: RunbookEnv, run: RunState, i: number, sr: StepRun): string {
  const rb = runbookOf(env, run);
  const step = bindStep(rb.steps[i]!, run.params);
  const who = [
    sr.by ? `by ${sr.by}` : "",
    sr.confirmBy ? `confirmed by ${sr.confirmBy}` : "",
    sr.ackBy ? `acked by ${sr.ackBy}` : "",
    sr.undoBy && ["undone", "undoing", "undo-failed"].includes(sr.status) ? `undo by ${sr.undoBy}` : "",
  ].filter(Boolean);
  const when = sr.startedAt !== undefined ? `${utcTime(sr.startedAt)}` : "";
  const dur = took(sr.startedAt, sr.finishedAt);
  const jobs = sr.jobs.length ? ` jobs ${sr.jobs.map((j) => `#${j}`).join(" ")}` : "";
  const extra = [
    sr.note ? `"${sr.note}"` : "",
    sr.status === "failed" || sr.status === "interrupted" ? sr.result : "",
  ]
    .filter(Boolean)
    .join("; ");
  return `${String(i + 1).padStart(2)}. ${sr.status.toUpperCase()} ${step.title} (${step.kind})${who.length ? ` ${who.join(", ")}` : ""}${when ? ` at ${when}` : ""}${dur ? `, took ${dur}` : ""}${jobs}${extra ? ` — ${extra}` : ""}`;
}

export function downtimeLine(run: RunState): string | undefined {
  const { start, end } = run.downtime;
  if (start === undefined) return undefined;
  if (end === undefined) return `Downtime: since ${utcStamp(start)} (not ended yet)`;
  return `Downtime: ${utcStamp(start)} → ${utcTime(end)}, measured ${formatDuration(end - start)}`;
}

function loopLines(run: RunState): string[] {
  return Object.values(run.loops).map(
    (l) =>
      `Loop "${l.name}": ${l.iterations} iteration(s), ${l.failures} failed, ${l.stopped ? `stopped at ${utcTime(l.stoppedAt ?? 0)}` : `running, next at ${utcTime(l.nextAt)}`}${l.last ? `; last: ${l.last}` : ""}`,
  );
}

export function renderStatus(s: RunbookEnv, run: RunState, hint: string): string {
  const rb = runbookOf(s, run);
  const done = run.steps.filter((x) => ["done", "skipped"].includes(x.status)).length;
  const head = `${rb.id} run #${run.seq} (${run.status}), started by ${run.startedBy} at ${utcStamp(run.startedAt)}: ${done}/${rb.steps.length} steps done or skipped.`;
  const cur = run.cursor < rb.steps.length ? stepLine(s, run, run.cursor, run.steps[run.cursor]!) : "";
  const undoing = run.steps
    .map((x, i) => (x.status === "undoing" ? stepLine(s, run, i, x) : ""))
    .filter(Boolean);
  const auto = run.auto && `Run mode: on (${run.auto.by}); !migrate stop halts it.`;
  return [head, cur && `Current: ${cur.trim()}`, auto, ...undoing, ...loopLines(run), downtimeLine(run), hint]
    .filter(Boolean)
    .join("\n");
}

export function renderLog(s: RunbookEnv, run: RunState): string {
  const rb = runbookOf(s, run);
  const end =
    run.endedAt !== undefined
      ? `, ended ${utcStamp(run.endedAt)} (${formatDuration(run.endedAt - run.startedAt)})`
      : "";
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const lines = [
    `${rb.id} run #${run.seq} (${run.status}): started by ${run.startedBy} at ${utcStamp(run.startedAt)}${end}${params ? `; ${params}` : ""}`,
    ...run.steps.map((sr, i) => stepLine(s, run, i, sr)),
    ...loopLines(run),
    downtimeLine(run) ?? "Downtime: no downtime markers were passed",
    "Timeline:",
    ...run.timeline.map((t) => `  ${utcTime(t.at)} ${t.who}: ${t.what}`),
  ];
  return lines.join("\n");
}

/** "13 steps (4 manual, 1 irreversible)": manual counts the steps that wait for an ack. */
export function describeKinds(kinds: StepKinds, rb: Runbook): string {
  const manual = rb.steps.filter((x) => kinds.of(x).begin === "ack").length;
  const irr = rb.steps.filter((x) => x.irreversible).length;
  return `${rb.steps.length} steps (${manual} manual${irr ? `, ${irr} irreversible` : ""})`;
}
