import type { ChatEvent } from "../../core/messages.js";
import { isRunEvent, type RunEvent, type StepLabel } from "../../domain/runbook/events.js";
import {
  endText,
  joinEvents,
  NEXT_IRREVERSIBLE,
  offTrackText,
  planText,
  renderRunEvent,
} from "../../domain/runbook/render-text.js";
import { escapeMrkdwn as esc } from "./format.js";

/**
 * Slack's renderer of run events (domain/runbook/events.ts): the same words as
 * the plain text (render-text.ts), in mrkdwn: step names bold, commands as
 * code, a manual step's instructions as a quote, the plan as a code block, an
 * emoji for how a step ended. Everything taken from a run is escaped.
 */

const name = (s: StepLabel) => `*step ${s.n}/${s.of} "${esc(s.title)}"*`;
const cmd = (c: string) => `\`${esc(c)}\``;
const run = (runbook: string, seq: number) => `*${esc(runbook)}* run #${seq}`;

/** A kind's prompt: its first line as said, the rest (the instructions) as a quote. */
function prompt(text: string): string {
  const [head = "", ...rest] = text.trim().split("\n");
  const body = rest.filter((l) => l.trim()).map((l) => `>${esc(l)}`);
  return body.length ? `${esc(head)}\n${body.join("\n")}` : esc(head);
}

export function slackRunEvent(e: RunEvent): string {
  switch (e.type) {
    case "run-started":
      return `:rocket: ${run(e.runbook, e.seq)} started by ${esc(e.by)}: ${esc(e.title)} — ${esc(e.counts)}.\n${e.estimate ? `${esc(e.estimate)}\n` : ""}\`\`\`\n${esc(planText(e.plan))}\n\`\`\``;
    case "next-hint": {
      if (e.status !== "active") return `The run is *${esc(e.status)}*. See ${cmd("!migrate log")}.`;
      if (!e.next) return "All steps are done.";
      const flags = [esc(e.next.describe), e.next.irreversible ? `*${NEXT_IRREVERSIBLE}*` : ""].filter(
        Boolean,
      );
      return `Next: ${name(e.next.step)} (${flags.join("; ")}) — ${cmd("!migrate next")}`;
    }
    case "step-awaiting-confirm":
      return `${name(e.step)} is *IRREVERSIBLE* (${esc(e.describe)}). It runs only after ${cmd("!migrate confirm")} by ${esc(e.confirmer)}.`;
    case "step-awaiting-ack":
      return `:raising_hand: ${name(e.step)} — ${prompt(e.prompt)}\nWhen it is done, ${cmd("!migrate ack [note]")} by ${esc(e.acker)}.`;
    case "step-done":
      return `:white_check_mark: ${name(e.step)} ${esc(endText(e.end))}.`;
    case "step-skipped":
      return `:fast_forward: ${name(e.step)} skipped by ${esc(e.by)}: ${esc(e.reason)}.`;
    case "step-failed":
      return `:x: ${name(e.step)} failed. ${cmd("!migrate retry")}, or ${cmd("!migrate skip <reason>")}.`;
    case "step-interrupted":
      return `${name(e.step)} was interrupted (#${e.job}); it is not re-run. Check by hand, then ${cmd("!migrate retry")}, ${cmd(`!job done ${e.job}`)}, or ${cmd("!migrate skip <reason>")}.`;
    case "run-finished":
      return `:checkered_flag: All ${e.steps} steps are done: ${run(e.runbook, e.seq)} finished.${esc(e.stopped)} See ${cmd("!migrate log")}.`;
    case "run-aborted":
      return `:octagonal_sign: ${run(e.runbook, e.seq)} aborted by ${esc(e.by)}${e.reason ? `: ${esc(e.reason)}` : ""}.${esc(e.stopped)}${
        e.stillRunning.length
          ? ` Still running (not killed): ${e.stillRunning.map((j) => `#${j}`).join(", ")}.`
          : ""
      }`;
    case "undo-passed":
      return `Nothing to undo for step(s) ${e.steps.join(", ")}.`;
    case "undo-awaiting-ack":
      return `:raising_hand: Undo of ${name(e.step)} — ${prompt(e.prompt)}\nWhen it is done, ${cmd("!migrate ack")} by ${esc(e.acker)}.`;
    case "undo-begun":
      return "";
    case "undo-done":
      return `:leftwards_arrow_with_hook: ${name(e.step)} ${esc(e.what)}.`;
    case "undo-failed":
      return `:x: The undo of ${name(e.step)} *FAILED*: ${esc(e.what)}. Fix it by hand, then ${cmd("!migrate undo")} again or ${cmd("!migrate abort")}.`;
    case "undo-interrupted":
      return `The undo of ${name(e.step)} was interrupted (#${e.job}); check by hand, then ${cmd("!migrate undo")} again.`;
    case "rollback-stopped":
      return `:no_entry: Stopped at ${name(e.step)}: it is irreversible and cannot be undone; it and the steps before it stay done.`;
    case "undo-exhausted":
      return "Nothing left to undo: the run is back before step 1.";
    case "rollback-finished":
      return `:rewind: ${run(e.runbook, e.seq)} is rolled back.`;
    case "loop-interrupted":
      return `Loop *${esc(e.loop)}* iteration ${e.iteration} (#${e.job}) was interrupted by a restart and is not re-run; the loop goes on.`;
    case "runbook-unloaded":
      return `Runbook *${esc(e.runbook)}* is no longer loaded; ${cmd("!migrate abort")} to end run #${e.seq}`;
    case "run-mode":
      return e.on
        ? `:arrow_forward: Run mode on (${esc(e.by)}): the run goes on by itself until a manual, irreversible, failed or pause step${e.after ? `, after ${name(e.after)}` : ""}. ${cmd("!migrate stop")} halts it.`
        : `:double_vertical_bar: Run mode stopped by ${esc(e.by)}${e.after ? `; ${name(e.after)} in flight finishes` : ""}. ${cmd("!migrate next")} or ${cmd("!migrate run")} goes on.`;
    case "run-going":
      return `Running ${name(e.step)}.`;
    case "run-gate":
      return `:double_vertical_bar: Run mode stops at ${name(e.step)}: ${esc(e.why)}.`;
    case "run-off-track":
      return `:rotating_light: *OFF TRACK*: ${esc(offTrackText(e))}`;
    case "rehearsal":
      return ":performing_arts: *REHEARSAL*";
  }
}

/**
 * A message rendered for Slack (format.ts renderText: escaped text), with the
 * part its run events say in plain text replaced by their mrkdwn. Unchanged
 * when it carries no run events, or their text is not in it (cut, for one).
 */
export function withRunEvents(rendered: string, events: readonly ChatEvent[] | undefined): string {
  if (!events?.length || !events.every(isRunEvent)) return rendered;
  const runEvents = events as readonly RunEvent[];
  const plain = esc(joinEvents(runEvents, renderRunEvent));
  const at = plain ? rendered.lastIndexOf(plain) : -1;
  if (at < 0) return rendered;
  const rich = joinEvents(runEvents, slackRunEvent);
  return `${rendered.slice(0, at)}${rich}${rendered.slice(at + plain.length)}`;
}
