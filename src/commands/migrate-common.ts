import { z } from "zod";
import { UserError } from "../core/errors.js";
import { identityKey } from "../core/identity.js";
import { runPage } from "../domain/pages.js";
import { actionsFor, type EngineCtx } from "../domain/runbook/context.js";
import type { RunEvent } from "../domain/runbook/events.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import { marked } from "../domain/runbook/rehearsal.js";
import { isAlarm, runText } from "../domain/runbook/render-text.js";
import { channelRuns, lastRun, type RunState } from "../domain/runbook/state.js";
import { type Command, type CommandContext, command } from "./types.js";

/** What the `!migrate` commands share: the run a command is about, and how the engine's words are said. */

export const words = z.array(z.string());
export const OPERATE = ["engineer", "lead"];
export const READ = ["engineer", "losa", "lead"];

export function engine(kinds: StepKinds, ctx: CommandContext<string[]>): EngineCtx {
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
export async function pickRun(
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

export type Op = (ctx: CommandContext<string[]>, run: RunState, rest: string[]) => Promise<unknown>;

export function sub(
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
export function linkedTo(run: RunState, text: string): { page: string; brief: string } {
  const lines = text.split("\n");
  return { page: runPage(run), brief: lines.length > 1 ? `${lines[0]}\n${lines.at(-1)}` : text };
}

/**
 * What the engine said, as a reply: its plain text, with the events for networks
 * that render their own; with the run, the reply links its page.
 */
export async function sayEvents(
  ctx: CommandContext<string[]>,
  events: RunEvent[],
  run?: RunState,
): Promise<void> {
  const text = runText(events);
  if (!text) return;
  await ctx.reply(text, {
    // As the run's own messages are (domain/runbook/context.ts emit): louder for an irreversible step or an interruption.
    kind: events.some(isAlarm) ? "alarm" : "reply",
    events,
    actions: actionsFor(events),
    ...(run ? linkedTo(run, text) : {}),
  });
}
