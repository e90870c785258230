import { formatDuration } from "../core/duration.js";
import { UserError } from "../core/errors.js";
import { jobRequest } from "../domain/job-kinds.js";
import { jobPage } from "../domain/pages.js";
import type { Services } from "../domain/services.js";
import { type JobRecord, tail } from "../infra/job-store.js";
import { jobId, noArgs } from "./args.js";
import { type Command, command } from "./types.js";

const OPERATORS = ["engineer", "losa", "lead"];

function line(r: JobRecord, now: number): string {
  const when = formatDuration(now - r.createdAt);
  const took = r.startedAt && r.finishedAt ? `, took ${formatDuration(r.finishedAt - r.startedAt)}` : "";
  return `#${r.id} ${r.state}${r.exit !== undefined ? ` (exit ${r.exit})` : ""}: ${r.summary} — ${r.by}, ${when} ago${took}`;
}

async function mustGet(services: Services, id: number): Promise<JobRecord> {
  const r = await services.jobs.get(id);
  if (!r) throw new UserError(`There is no job #${id}. See !jobs.`);
  return r;
}

/** A failed or interrupted job nobody has resolved yet: what !job retry and !job done act on. */
async function unresolved(services: Services, id: number, verb: string): Promise<JobRecord> {
  const r = await mustGet(services, id);
  if (r.state !== "failed" && r.state !== "interrupted") {
    throw new UserError(`#${r.id} is ${r.state}; only a failed or interrupted job can be ${verb}.`);
  }
  if (r.resolution) throw new UserError(`#${r.id} was already resolved: ${r.resolution}.`);
  return r;
}

/** A queued job that does nothing: checks the whole path from chat through the queue and back. */
export const jobCommands: Command[] = [
  command({
    family: "ping",
    name: "",
    usage: "!ping",
    summary: "queue a job that does nothing, to check the workers answer",
    args: noArgs,
    roles: [],
    async run(ctx) {
      await ctx.enqueue(jobRequest("ping", {}, { summary: "ping" }));
    },
  }),
  command({
    family: "jobs",
    name: "",
    usage: "!jobs",
    summary: "the most recent jobs",
    args: noArgs,
    roles: [],
    async run(ctx) {
      const recs = await ctx.services.jobs.recent(10);
      const now = ctx.services.clock.now();
      await ctx.reply(recs.length ? recs.map((r) => line(r, now)).join("\n") : "No jobs yet.");
    },
  }),
  command({
    family: "job",
    name: "",
    usage: "!job <id>",
    summary: "one job: state, who asked, when, how long, the last lines of its output",
    example: "!job 42",
    args: jobId,
    roles: [],
    async run(ctx) {
      const { services } = ctx;
      const r = await mustGet(services, ctx.args);
      const out = tail(await services.jobs.log(r.id), services.config.jobs.chatLines);
      const extra = [
        r.result ? `result: ${r.result}` : "",
        r.resolution ? `resolution: ${r.resolution}` : "",
      ].filter(Boolean);
      const lines = [line(r, services.clock.now()), ...extra];
      if (out.lines.length)
        lines.push(
          `${out.cut ? `… ${out.cut} earlier lines: !job log ${r.id}\n` : ""}${out.lines.join("\n")}`,
        );
      await ctx.reply(lines.join("\n"), {
        outputLines: out.lines.length,
        page: jobPage(r.id),
        brief: [line(r, services.clock.now()), ...extra].join("\n"),
      });
    },
  }),
  command({
    family: "job",
    name: "log",
    usage: "!job log <id>",
    summary: "a job's whole output",
    example: "!job log 42",
    args: jobId,
    roles: [],
    async run(ctx) {
      const r = await mustGet(ctx.services, ctx.args);
      const text = await ctx.services.jobs.log(r.id);
      const body = text.replace(/\n$/, "");
      const n = text ? body.split("\n").length : 0;
      await ctx.reply(text ? `#${r.id} log:\n${body}` : `#${r.id} has no output.`, {
        outputLines: n,
        page: jobPage(r.id),
        brief: `#${r.id} log: ${n} lines, ${r.state}.`,
      });
    },
  }),
  command({
    family: "job",
    name: "retry",
    usage: "!job retry <id>",
    summary: "run a failed or interrupted job again, as a new job",
    example: "!job retry 42",
    args: jobId,
    roles: OPERATORS,
    async run(ctx) {
      const { services } = ctx;
      const r = await unresolved(services, ctx.args, "retried");
      const next = await ctx.enqueue({
        name: r.name,
        summary: `${r.summary} (retry of #${r.id})`,
        data: r.data,
      });
      await services.jobs.update(r.id, { resolution: `retried as #${next.id} by ${ctx.msg.user.display}` });
      await ctx.handlers.get(r.name)?.onResolved?.(r, services, "retried");
    },
  }),
  command({
    family: "job",
    name: "done",
    usage: "!job done <id>",
    summary: "after checking by hand, record that an interrupted or failed job did what it should",
    example: "!job done 42",
    args: jobId,
    roles: OPERATORS,
    async run(ctx) {
      const { services } = ctx;
      const r = await unresolved(services, ctx.args, "marked done");
      const resolution = `marked done by ${ctx.msg.user.display} (was ${r.state})`;
      await services.jobs.update(r.id, { state: "done", resolution });
      await services.audit.record({
        event: "job",
        job: r.id,
        who: ctx.msg.user.display,
        outcome: resolution,
      });
      await services.events.publish({ id: r.id, state: "done" });
      await ctx.handlers.get(r.name)?.onResolved?.({ ...r, state: "done", resolution }, services, "done");
      await ctx.reply(`#${r.id} ${resolution}.`);
    },
  }),
];
