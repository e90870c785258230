import type { Runbook, Step } from "../../config/runbook.js";
import { runbooksOf } from "../../config/runbook-load.js";
import { bindStep, substitute } from "../../config/runbook-params.js";
import { UserError } from "../../core/errors.js";
import { holdersOf } from "../../core/identity.js";
import type { MessageAction } from "../../core/messages.js";
import { replyTo } from "../../core/outbound.js";
import type { EnqueueRequest } from "../../infra/enqueue.js";
import { startJob } from "../../infra/enqueue.js";
import type { JobRecord } from "../../infra/job-store.js";
import type { Services } from "../services.js";
import type { RunEvent, StepLabel } from "./events.js";
import type { AnyStep, RunbookEnv } from "./kinds/types.js";
import { marked } from "./rehearsal.js";
import { isAlarm, runText, stepText } from "./render-text.js";
import type { RunState } from "./state.js";

export type { RunbookEnv };

/** Who does something to a run: shown name, identity key as role rules match it, roles held. */
export interface Actor {
  display: string;
  id: string;
  roles: readonly string[];
}

/** What an engine operation needs: the services and step kinds, who acts, and how to start a job. */
export interface EngineCtx extends RunbookEnv {
  actor: Actor;
  /** Starts a job (from a command: replies "queued #n" at once). */
  enqueue(req: EnqueueRequest): Promise<JobRecord>;
}

/** The runbooks this bot reads (with the step kinds it knows). */
export const runbooks = (env: RunbookEnv) => runbooksOf(env.services.config, env.kinds.extraSchemas);

export function runbookOf(env: RunbookEnv, run: Pick<RunState, "runbook">): Runbook {
  const rb = runbooks(env).runbooks.get(run.runbook);
  if (!rb) throw new UserError(`The runbook ${run.runbook} is no longer loaded; !migrate abort this run.`);
  return rb;
}

/** The run's step i with its parameters filled in. */
export function boundStep(env: RunbookEnv, run: RunState, i: number): Step {
  return bindStep(runbookOf(env, run).steps[i]!, run.params);
}

/** What a step does, in a few words, as its kind says it. */
export const describeStep = (env: RunbookEnv, step: AnyStep): string => env.kinds.of(step).describe(step);

/**
 * Says what happened to a run in its channel (and thread): the events with
 * their plain text, for each network to render; an alarm for an interruption or
 * an irreversible step; the buttons a waiting step is answered with.
 */
export async function emit(
  s: Services,
  run: Pick<RunState, "network" | "channel" | "threadId" | "rehearsal">,
  said: readonly RunEvent[],
): Promise<void> {
  const events = marked(run, [...said]);
  const text = runText(events);
  if (!text) return;
  await s.outbox.send(
    replyTo(run, text, {
      kind: events.some(isAlarm) ? "alarm" : "reply",
      actions: actionsFor(events),
      events,
    }),
  );
}

/** The button a run's events leave waiting for: an ack of a manual step or undo, a confirm of an irreversible step. */
export function actionsFor(events: readonly RunEvent[]): MessageAction[] | undefined {
  const waits = events.find((e) => e.type.endsWith("awaiting-ack") || e.type.endsWith("awaiting-confirm"));
  if (!waits) return undefined;
  return waits.type === "step-awaiting-confirm"
    ? [{ label: "Confirm", command: "!migrate confirm", style: "danger" }]
    : [{ label: "Acknowledge", command: "!migrate ack", style: "primary" }];
}

/** Jobs the engine starts on its own (loop iterations, the next undo of a rollback), in the run's channel. */
export function botEnqueue(s: Services, run: RunState): EngineCtx["enqueue"] {
  return (req) =>
    startJob(s, req, {
      network: run.network,
      channel: run.channel,
      threadId: run.threadId,
      user: { network: run.network, id: s.config.name, display: s.config.name },
    });
}

export function botActor(s: Services): Actor {
  return { display: s.config.name, id: `bot:${s.config.name}`, roles: ["admin"] };
}

export const holds = (actor: Actor, role: string) =>
  actor.roles.includes("admin") || actor.roles.includes(role);

/** "losa (held by console:bob, irc:account:carol)". */
export function whoHolds(s: Services, role: string): string {
  const holders = holdersOf(role, s.config.roles);
  const admins = role === "admin" ? [] : holdersOf("admin", s.config.roles);
  const list = [...holders, ...admins.filter((a) => !holders.includes(a)).map((a) => `${a} (admin)`)];
  return `${role} (held by ${list.length ? list.join(", ") : "nobody in the config: add someone under roles:"})`;
}

/** Step i as chat names it: the title given, or the runbook's with the run's parameters filled in. */
export function stepLabel(
  rb: Runbook,
  i: number,
  title?: string | Readonly<Record<string, string>>,
): StepLabel {
  const raw = rb.steps[i]!.title;
  const shown = typeof title === "string" ? title : title ? substituteSafe(raw, title) : raw;
  return { n: i + 1, of: rb.steps.length, title: shown };
}

/** "step 6/13 "Stop cron jobs"" (stepLabel, in plain text). */
export const stepName = (rb: Runbook, i: number, title?: string | Readonly<Record<string, string>>): string =>
  stepText(stepLabel(rb, i, title));

function substituteSafe(text: string, params: Readonly<Record<string, string>>): string {
  try {
    return substitute(text, params);
  } catch {
    return text;
  }
}
