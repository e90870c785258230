import { UserError } from "../core/errors.js";
import { keyValues } from "../core/parse.js";
import { runPage } from "../domain/pages.js";
import { type RunbookEnv, runbookOf, runbooks } from "../domain/runbook/context.js";
import { startRun } from "../domain/runbook/engine.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
import { nextHint, runStarted } from "../domain/runbook/next.js";
import { briefStartText, planText, runText } from "../domain/runbook/render-text.js";
import { describeKinds, planLines } from "../domain/runbook/report.js";
import { channelRuns, getRun, type RunState } from "../domain/runbook/state.js";
import { engine, READ, sub, words } from "./migrate-common.js";
import { command } from "./types.js";

/** `!migrate list`, `start` and `plan`: the runbooks, and a run's plan (brief on IRC, docs/irc.md). */

export const list = (kinds: StepKinds) =>
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
        }${run ? ` — ACTIVE here (run #${run.seq}, step ${run.cursor + 1})` : ""}`;
      });
      await ctx.reply(lines.join("\n"));
    },
  });

export const start = (kinds: StepKinds) =>
  command<string[]>({
    family: "migrate",
    name: "start",
    usage: "!migrate start <runbook> [key=value …]",
    summary: "start a run of a runbook in this channel and show its plan",
    example:
      "!migrate start librarian-migration old_unit=launchpad-librarian/0 new_unit=launchpad-librarian/1",
    args: words.min(1, "missing the runbook to start (see !migrate list)"),
    roles: ["lead"],
    async run(ctx) {
      const s = ctx.services;
      const [id, ...rest] = ctx.args;
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
      );
      const events = runStarted(env, run);
      const page = runPage(run);
      const url = ctx.pageUrl(page);
      // Where it would flood (an IRC channel): the brief form; the whole plan is the
      // run's page where there is one, else a private message to the starter.
      await ctx.reply(runText(events), {
        events,
        page,
        brief: briefStartText(events),
        privately: !url,
        privateNote: `${ctx.msg.user.display}: the whole plan is in a private message; !migrate plan sends it again.`,
      });
    },
  });

/** The plan of a run, step by step, with how far each step has got. */
export function planReport(env: RunbookEnv, run: RunState): string {
  const rb = runbookOf(env, run);
  const lines = planLines(env.kinds, rb, run.params).map((l, i) => {
    const st = run.steps[i]?.status ?? "pending";
    const now = i === run.cursor && run.status === "active" ? "← now" : "";
    return { ...l, flags: [...l.flags, st === "pending" ? "" : st.toUpperCase(), now].filter(Boolean) };
  });
  return [
    `${rb.id} run #${run.seq} (${run.status}), started by ${run.startedBy}: ${rb.title} — ${describeKinds(env.kinds, rb)}.`,
    planText(lines),
    nextHint(env, run),
  ].join("\n");
}

export const plan = (kinds: StepKinds) =>
  sub(
    "plan",
    "!migrate plan",
    "the run's whole plan, step by step (on IRC by private message)",
    READ,
    async (ctx, run) => {
      const env = { services: ctx.services, kinds };
      const r = (await getRun(ctx.services, run.key)) ?? run;
      const text = planReport(env, r);
      await ctx.reply(text, {
        page: runPage(r),
        privately: true,
        brief: `The plan of ${r.runbook} run #${r.seq}: ${describeKinds(kinds, runbookOf(env, r))}.`,
        privateNote: `${ctx.msg.user.display}: the whole plan is in a private message.`,
      });
    },
    { allowEnded: true },
  );
