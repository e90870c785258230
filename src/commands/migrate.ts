import { UserError } from "../core/errors.js";
import { type EngineCtx, emit, type RunbookEnv } from "../domain/runbook/context.js";
import { nextStep } from "../domain/runbook/engine.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import { nextHint } from "../domain/runbook/next.js";
import { renderLog, renderStatus } from "../domain/runbook/report.js";
import { ackStepEvents, confirmStep, retryStep, skipStepEvents } from "../domain/runbook/respond.js";
import { runMode, stopRunMode } from "../domain/runbook/run-mode.js";
import { getRun, type RunState } from "../domain/runbook/state.js";
import { abortRunEvents, rollbackEvents, undoStepEvents } from "../domain/runbook/undo.js";
import { engine, OPERATE, READ, sub } from "./migrate-common.js";
import { list, plan, start } from "./migrate-plan.js";
import type { Command, CommandContext } from "./types.js";

/**
 * `!migrate`: drive a runbook from chat, one step at a time (docs/runbooks.md).
 * The commands check and change the run in Redis and start jobs; the work itself
 * happens in workers (src/jobs/runbook-step.ts). Built for the step kinds the
 * bot knows (domain/runbook/kinds/).
 */

export function migrateCommands(kinds: StepKinds): Command[] {
  const env = (ctx: CommandContext<string[]>): RunbookEnv => ({ services: ctx.services, kinds });
  const eng = (ctx: CommandContext<string[]>) => engine(kinds, ctx);
  return [list(kinds), start(kinds), plan(kinds), ...drive(env, eng)];
}

const fresh = async (ctx: CommandContext<string[]>, run: RunState) =>
  (await getRun(ctx.services, run.key)) ?? run;

type Env = (ctx: CommandContext<string[]>) => RunbookEnv;
type Eng = (ctx: CommandContext<string[]>) => EngineCtx;

const drive = (env: Env, engine: Eng): Command[] => [
  sub(
    "next",
    "!migrate next",
    "do the current step (a manual one is posted for its role to ack)",
    OPERATE,
    (ctx, run) => nextStep(engine(ctx), run.key),
  ),
  sub(
    "run",
    "!migrate run",
    "do the current step and go on through automated steps until a manual, irreversible, failed or pause step",
    OPERATE,
    async (ctx, run) => {
      await emit(ctx.services, run, await runMode(engine(ctx), run.key));
    },
  ),
  sub(
    "stop",
    "!migrate stop",
    "end run mode: the step in flight finishes, nothing after it starts by itself",
    OPERATE,
    (ctx, run) => stopRunMode(engine(ctx), run.key),
  ),
  sub(
    "ack",
    "!migrate ack [note]",
    "acknowledge the manual step now waiting (needs the step's role)",
    [],
    (ctx, run, rest) => ackStepEvents(engine(ctx), run.key, rest.join(" ").trim()),
  ),
  sub(
    "confirm",
    "!migrate confirm",
    "let an irreversible step run (a second person)",
    ["losa", "lead"],
    (ctx, run) => confirmStep(engine(ctx), run.key),
  ),
  sub("retry", "!migrate retry", "run the failed or interrupted step again", OPERATE, (ctx, run) =>
    retryStep(engine(ctx), run.key),
  ),
  sub(
    "skip",
    "!migrate skip <reason>",
    "pass over the current step, recording why",
    ["lead"],
    (ctx, run, rest) => {
      const reason = rest.join(" ").trim();
      if (!reason) throw new UserError("Say why: !migrate skip <reason>");
      return skipStepEvents(engine(ctx), run.key, reason);
    },
    { example: "!migrate skip firewall rule already in place" },
  ),
  sub("undo", "!migrate undo", "run the newest done step's undo", ["lead"], (ctx, run) =>
    undoStepEvents(engine(ctx), run.key),
  ),
  sub(
    "abort",
    "!migrate abort [reason]",
    "end the run and stop its background loops",
    ["lead"],
    (ctx, run, rest) => abortRunEvents(engine(ctx), run.key, rest.join(" ").trim()),
  ),
  sub(
    "rollback",
    "!migrate rollback",
    "undo done steps newest first, stopping at an irreversible one",
    ["lead"],
    (ctx, run) => rollbackEvents(engine(ctx), run.key),
  ),
  sub(
    "status",
    "!migrate status",
    "where the run is",
    READ,
    async (ctx, run) => {
      const r = await fresh(ctx, run);
      return renderStatus(env(ctx), r, nextHint(env(ctx), r));
    },
    { allowEnded: true, linked: true },
  ),
  sub(
    "log",
    "!migrate log",
    "the run's timeline: who, what, when, how long; the measured downtime",
    READ,
    async (ctx, run) => renderLog(env(ctx), await fresh(ctx, run)),
    { allowEnded: true, linked: true },
  ),
];
