import { z } from "zod";
import { UserError } from "../core/errors.js";
import { identityKey } from "../core/identity.js";
import { keyValues } from "../core/parse.js";
import { runPage } from "../domain/pages.js";
import { type EngineCtx, emit, type RunbookEnv, runbooks } from "../domain/runbook/context.js";
import { nextStep, startRun } from "../domain/runbook/engine.js";
import type { RunEvent } from "../domain/runbook/events.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import { nextHint, runStarted } from "../domain/runbook/next.js";
import { marked } from "../domain/runbook/rehearsal.js";
import { runText } from "../domain/runbook/render-text.js";
import { describeKinds, renderLog, renderStatus } from "../domain/runbook/report.js";
import { ackStepEvents, confirmStep, retryStep, skipStepEvents } from "../domain/runbook/respond.js";
import { runMode, stopRunMode } from "../domain/runbook/run-mode.js";
import { channelRuns, getRun, lastRun, type RunState } from "../domain/runbook/state.js";
import { abortRunEvents, rollbackEvents, undoStepEvents } from "../domain/runbook/undo.js";
import { startOptions } from "./migrate-start-args.js";
import { type Command, type CommandContext, command } from "./types.js";

/**
 * `!migrate`: drive a runbook from chat, one step at a time (docs/runbooks.md).
 * The commands check and change the run in Redis and start jobs; the work itself
 * happens in workers (src/jobs/runbook-step.ts). Built for the step kinds the
 * bot knows (domain/runbook/kinds/).
 */

const words = z.array(z.string());
const OPERATE = ["engineer", "lead"];
const READ = ["engineer", "losa", "lead"];

function engine(kinds: StepKinds, ctx: CommandContext<string[]>): EngineCtx {
  return {
    services: ctx.services,
    kinds,
    actor: { display: ctx.msg.user.display, id: identityKey(ctx.msg.user), roles: ctx.roles },
    enqueue: ctx.enqueue,
  };
}

/**
 * The run a command is about: a leading runbook id picks one; otherwise the
 * channel's only active run (or, for status and log, its most recent run).
 */
async function pickRun(
  ctx: CommandContext<string[]>,
  allowEnded = false,
): Promise<{ run: RunState; rest: string[] }> {
  const s = ctx.services;
  const { network, channel } = ctx.msg;
  const runs = await channelRuns(s, network, channel);
  const first = ctx.args[0];
  const named = runs.find((r) => r.runbook === first);
  if (named) return { run: named, rest: ctx.args.slice(1) };
  const last = await lastRun(s, network, channel);
  if (allowEnded && last && last.runbook === first) return { run: last, rest: ctx.args.slice(1) };
  if (runs.length === 1) return { run: runs[0]!, rest: ctx.args };
  if (runs.length > 1)
    throw new UserError(
      `Several runs are active here (${runs.map((r) => r.runbook).join(", ")}); name one: !migrate ${ctx.msg.text.split(/\s+/)[1]} <runbook> …`,
    );
  if (allowEnded && last) return { run: last, rest: ctx.args };
  throw new UserError(
    "No runbook is running in this channel. !migrate list shows them; !migrate start <runbook> begins one.",
  );
}

type Op = (ctx: CommandContext<string[]>, run: RunState, rest: string[]) => Promise<unknown>;

function sub(
  name: string,
  usage: string,
  summary: string,
  roles: string[],
  op: Op,
  opts: { allowEnded?: boolean; example?: string; linked?: boolean } = {},
): Command {
  return command<string[]>({
    family: "migrate",
    name,
    usage,
    summary,
    example: opts.example,
    args: words,
    roles,
    async run(ctx) {
      const { run, rest } = await pickRun(ctx, opts.allowEnded);
      const said = await op(ctx, run, rest);
      if (Array.isArray(said)) {
        await sayEvents(ctx, marked(run, said));
        return;
      }
      if (typeof said !== "string" || !said) return;
      await ctx.reply(said, opts.linked ? linkedTo(run, said) : {});
    },
  });
}

/**
 * An answer that links the run's page: shortened where a long answer would flood,
 * it keeps its first line (what it is) and its last (what to do next).
 */
function linkedTo(run: RunState, text: string): { page: string; brief: string } {
  const lines = text.split("\n");
  return { page: runPage(run), brief: lines.length > 1 ? `${lines[0]}\n${lines.at(-1)}` : text };
}

/**
 * What the engine said, as a reply: its plain text, with the events for networks
 * that render their own; with the run, the reply links its page.
 */
async function sayEvents(ctx: CommandContext<string[]>, events: RunEvent[], run?: RunState): Promise<void> {
  const text = runText(events);
  if (text) await ctx.reply(text, { events, ...(run ? linkedTo(run, text) : {}) });
}

export function migrateCommands(kinds: StepKinds): Command[] {
  const env = (ctx: CommandContext<string[]>): RunbookEnv => ({ services: ctx.services, kinds });
  const eng = (ctx: CommandContext<string[]>) => engine(kinds, ctx);
  return [list(kinds), start(kinds), ...drive(env, eng)];
}

const list = (kinds: StepKinds) =>
  command<string[]>({
    family: "migrate",
    name: "list",
    usage: "!migrate list",
    summary: "the runbooks loaded, with their step counts, and the runs active here",
    args: words,
    roles: [],
    async run(ctx) {
      const s = ctx.services;
      const { runbooks: loaded } = runbooks({ services: s, kinds });
      if (!loaded.size) return ctx.reply(`No runbooks are loaded (folder ${s.config.runbooks}).`);
      const active = await channelRuns(s, ctx.msg.network, ctx.msg.channel);
      const lines = [...loaded.values()].map((rb) => {
        const run = active.find((r) => r.runbook === rb.id);
        const params = Object.keys(rb.parameters);
        return `${rb.id} — ${rb.title}: ${describeKinds(kinds, rb)}${params.length ? `; parameters: ${params.join(", ")}` : ""}${
          rb.missingHosts.length
            ? `; cannot start: hosts ${rb.missingHosts.join(", ")} missing from the config`
            : ""
        }${run ? ` — ${run.rehearsal ? "REHEARSAL" : "ACTIVE"} here (run #${run.seq}, step ${run.cursor + 1})` : ""}`;
      });
      await ctx.reply(lines.join("\n"));
    },
  });

const start = (kinds: StepKinds) =>
  command<string[]>({
    family: "migrate",
    name: "start",
    usage: "!migrate start <runbook> [--rehearse] [key=value …]",
    summary: "start a run of a runbook in this channel and show its plan",
    example:
      "!migrate start librarian-migration old_unit=launchpad-librarian/0 new_unit=launchpad-librarian/1",
    args: words.min(1, "missing the runbook to start (see !migrate list)"),
    roles: ["lead"],
    async run(ctx) {
      const s = ctx.services;
      const { args, rehearse } = startOptions(ctx.args);
      const [id, ...rest] = args;
      const env = { services: s, kinds };
      const rb = runbooks(env).runbooks.get(id!);
      if (!rb) {
        const ids = [...runbooks(env).runbooks.keys()];
        throw new UserError(`There is no runbook "${id}". Loaded: ${ids.join(", ") || "none"}.`);
      }
      const { kv, rest: loose } = keyValues(rest);
      if (loose.length) throw new UserError(`Parameters are key=value words; "${loose[0]}" is not one.`);
      const run = await startRun(
        {
          ...engine(kinds, ctx),
          network: ctx.msg.network,
          channel: ctx.msg.channel,
          threadId: ctx.msg.threadId,
        },
        rb,
        kv,
        { rehearsal: rehearse },
      );
      await sayEvents(ctx, marked(run, runStarted(env, run)), run);
    },
  });

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
    async (ctx, run) => {
      await nextStep(engine(ctx), run.key);
    },
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
    async (ctx, run) => {
      await confirmStep(engine(ctx), run.key);
    },
  ),
  sub("retry", "!migrate retry", "run the failed or interrupted step again", OPERATE, async (ctx, run) => {
    await retryStep(engine(ctx), run.key);
  }),
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
