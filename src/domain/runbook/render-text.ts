import type { PlanLine, RunEvent, StepEnd, StepLabel } from "./events.js";

/**
 * The plain-text renderer of run events: the words the console and IRC show,
 * and the text every network falls back to. Other networks render the same
 * events their own way (src/bot/slack/run-events.ts) and join them with
 * joinEvents, so a message reads the same in every network's markup.
 */

export const stepText = (s: StepLabel) => `step ${s.n}/${s.of} "${s.title}"`;

export function planText(plan: readonly PlanLine[]): string {
  return plan.map((l) => `${String(l.n).padStart(2)}. ${l.title} [${l.flags.join(", ")}]`).join("\n");
}

/** How a step ended, in words: "done (#4)", "acknowledged by olga: TTL was low". */
export function endText(end: StepEnd): string {
  switch (end.how) {
    case "job":
      return `done (#${end.job})`;
    case "acked":
      return `acknowledged by ${end.by}${end.note ? `: ${end.note}` : ""}`;
    case "wait-over":
      return "wait over";
    case "by-hand":
      return `marked done by hand (#${end.job})`;
  }
}

export const NEXT_IRREVERSIBLE = "IRREVERSIBLE: a second person confirms";

export function renderRunEvent(e: RunEvent): string {
  switch (e.type) {
    case "run-started":
      return `${e.runbook} run #${e.seq} started by ${e.by}: ${e.title} — ${e.counts}.\n${planText(e.plan)}`;
    case "next-hint": {
      if (e.status !== "active") return `The run is ${e.status}. See !migrate log.`;
      if (!e.next) return "All steps are done.";
      const flags = [e.next.describe, e.next.irreversible ? NEXT_IRREVERSIBLE : ""].filter(Boolean);
      return `Next: ${stepText(e.next.step)} (${flags.join("; ")}) — !migrate next`;
    }
    case "step-awaiting-confirm":
      return `${stepText(e.step)} is IRREVERSIBLE (${e.describe}). It runs only after !migrate confirm by ${e.confirmer}.`;
    case "step-awaiting-ack":
      return `${stepText(e.step)} — ${e.prompt}\nWhen it is done, !migrate ack [note] by ${e.acker}.`;
    case "step-done":
      return `${stepText(e.step)} ${endText(e.end)}.`;
    case "step-skipped":
      return `${stepText(e.step)} skipped by ${e.by}: ${e.reason}.`;
    case "step-failed":
      return `${stepText(e.step)} failed. !migrate retry, or !migrate skip <reason>.`;
    case "step-interrupted":
      return `${stepText(e.step)} was interrupted (#${e.job}); it is not re-run. Check by hand, then !migrate retry, !job done ${e.job}, or !migrate skip <reason>.`;
    case "run-finished":
      return `All ${e.steps} steps are done: ${e.runbook} run #${e.seq} finished.${e.stopped} See !migrate log.`;
    case "run-aborted":
      return `${e.runbook} run #${e.seq} aborted by ${e.by}${e.reason ? `: ${e.reason}` : ""}.${e.stopped}${
        e.stillRunning.length
          ? ` Still running (not killed): ${e.stillRunning.map((j) => `#${j}`).join(", ")}.`
          : ""
      }`;
    case "undo-passed":
      return `Nothing to undo for step(s) ${e.steps.join(", ")}.`;
    case "undo-awaiting-ack":
      return `Undo of ${stepText(e.step)} — ${e.prompt}\nWhen it is done, !migrate ack by ${e.acker}.`;
    case "undo-begun":
      // Its job says it has begun ("queued #n"); the run adds nothing.
      return "";
    case "undo-done":
      return `${stepText(e.step)} ${e.what}.`;
    case "undo-failed":
      return `The undo of ${stepText(e.step)} FAILED: ${e.what}. Fix it by hand, then !migrate undo again or !migrate abort.`;
    case "undo-interrupted":
      return `The undo of ${stepText(e.step)} was interrupted (#${e.job}); check by hand, then !migrate undo again.`;
    case "rollback-stopped":
      return `Stopped at ${stepText(e.step)}: it is irreversible and cannot be undone; it and the steps before it stay done.`;
    case "undo-exhausted":
      return "Nothing left to undo: the run is back before step 1.";
    case "rollback-finished":
      return `${e.runbook} run #${e.seq} is rolled back.`;
    case "loop-interrupted":
      return `loop "${e.loop}" iteration ${e.iteration} (#${e.job}) was interrupted by a restart and is not re-run; the loop goes on.`;
    case "runbook-unloaded":
      return `runbook ${e.runbook} is no longer loaded; !migrate abort to end run #${e.seq}`;
    case "run-mode":
      if (!e.on)
        return `Run mode stopped by ${e.by}${e.after ? `; ${stepText(e.after)} in flight finishes` : ""}. !migrate next or !migrate run goes on.`;
      return `Run mode on (${e.by}): the run goes on by itself until a manual, irreversible, failed or pause step${e.after ? `, after ${stepText(e.after)}` : ""}. !migrate stop halts it.`;
    case "run-going":
      return `Running ${stepText(e.step)}.`;
    case "run-gate":
      return `Run mode stops at ${stepText(e.step)}: ${e.why}.`;
  }
}

/**
 * One message of several events: each rendered, the empty ones left out, joined
 * by a space; a new line after the plan of a run just started.
 */
export function joinEvents<E extends { type: string }>(events: readonly E[], one: (e: E) => string): string {
  let out = "";
  let prev: E | undefined;
  for (const e of events) {
    const text = one(e);
    if (!text) continue;
    out += prev ? `${prev.type === "run-started" ? "\n" : " "}${text}` : text;
    prev = e;
  }
  return out;
}

/** The plain text of a message made of these events. */
export const runText = (events: readonly RunEvent[]): string => joinEvents(events, renderRunEvent);

/** Events that ask for an alarm (interruptions, irreversible steps) rather than a plain reply. */
export const isAlarm = (e: RunEvent) =>
  ["step-awaiting-confirm", "step-interrupted", "undo-interrupted", "loop-interrupted"].includes(e.type);

/**
 * A network where every line of a message costs the channel about a second
 * (IRC: the bot paces its lines under the server's flood limit). There a run
 * just started is shown briefly and run mode reports a step in one line.
 */
export const pacedNetwork = (network: string): boolean => network === "irc";

/** Bytes a brief line may take: one IRC line, with room for the relayed prefix. */
const BRIEF_LINE_BYTES = 300;

/** The text cut to `bytes` (UTF-8), with "…" where it was cut. */
export function fitLine(text: string, bytes = BRIEF_LINE_BYTES): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let out = text;
  while (out && Buffer.byteLength(`${out}…`) > bytes) out = out.slice(0, -1);
  return `${out}…`;
}

/** `Manual: 3 "Look", 9 "Revert database.yml" … +4 more`, on one line. */
function stepList(what: string, lines: readonly PlanLine[]): string {
  let out = `${what}:`;
  for (const [k, l] of lines.entries()) {
    const last = k === lines.length - 1;
    const item = ` ${l.n} "${fitLine(l.title, 48)}"${last ? "" : ","}`;
    const more = last ? "" : ` … +${lines.length - k - 1} more`;
    if (Buffer.byteLength(out + item + more) > BRIEF_LINE_BYTES)
      return `${out.replace(/,$/, "")} … +${lines.length - k} more`;
    out += item;
  }
  return out;
}

/**
 * A run just started, in at most four lines: what it is and its step count, its
 * manual steps, its irreversible steps, and what comes first. The whole plan is
 * `!migrate plan` (and the run's page).
 */
export function briefStartText(events: readonly RunEvent[]): string | undefined {
  const started = events.find((e) => e.type === "run-started");
  if (!started) return undefined;
  const live = started.plan.filter((l) => !l.skipped);
  const manual = live.filter((l) => l.manual);
  const irreversible = live.filter((l) => l.flags.includes("IRREVERSIBLE"));
  const hint = events.find((e) => e.type === "next-hint");
  return [
    fitLine(
      `${started.runbook} run #${started.seq} started by ${started.by}: ${started.title} — ${started.counts}.`,
    ),
    manual.length ? stepList("Manual", manual) : "",
    irreversible.length ? stepList("Irreversible", irreversible) : "",
    hint ? fitLine(renderRunEvent(hint)) : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/**
 * A step's result in one line, as run mode reports a step that went well on a
 * paced network: its summary and what the run does next ("… Running step 4/12").
 * What the run says after it (a gate's instructions) keeps its own lines.
 */
export function oneLineStep(summary: string, events: readonly RunEvent[]): string {
  const said = runText(events);
  const first = summary.split("\n")[0] ?? "";
  return said ? `${first} — ${said}` : first;
}
