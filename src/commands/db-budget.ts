import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { ErrorCode, UsageError, UserError } from "../core/errors.js";
import { budget, checkLogGlob, verdict } from "../domain/db-budget.js";
import { jobRequest } from "../domain/job-kinds.js";
import { type Command, command } from "./types.js";

/** !db-budget: will the DB patches fit the downtime window? From numbers, or from staging logs over SSH. */
const USAGE = "!db-budget <seconds …> | !db-budget <host>:<log glob> [window=90m]";
/** A glob the remote shell may expand, and nothing else: no spaces, quotes or shell metacharacters. */
const SAFE_GLOB = /^[A-Za-z0-9._/*?[\]-]+$/;

interface Args {
  seconds?: number[];
  host?: string;
  glob?: string;
  windowMs?: number;
}

const args = z.array(z.string()).transform((words, ctx): Args => {
  const out: Args = {};
  const rest: string[] = [];
  for (const w of words) {
    const m = /^window=(.+)$/.exec(w);
    if (m) {
      out.windowMs = parseDuration(m[1]!);
      if (!out.windowMs)
        ctx.addIssue({ code: "custom", message: `window=${m[1]} is not a duration like 90m` });
    } else rest.push(w);
  }
  if (!rest.length) {
    ctx.addIssue({ code: "custom", message: "give the staging times in seconds, or <host>:<log glob>" });
    return z.NEVER;
  }
  const hostForm = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(.+)$/.exec(rest[0]!);
  if (hostForm && rest.length === 1) {
    if (!SAFE_GLOB.test(hostForm[2]!)) {
      ctx.addIssue({
        code: "custom",
        message: `"${hostForm[2]}" is not a plain path or glob (letters, digits, . _ - / * ? [ ] only)`,
      });
      return z.NEVER;
    }
    return { ...out, host: hostForm[1]!, glob: hostForm[2]! };
  }
  const seconds: number[] = [];
  for (const w of rest) {
    const n = /^\d+(\.\d+)?s?$/.test(w) ? Number.parseFloat(w) : (parseDuration(w) ?? Number.NaN) / 1000;
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: "custom", message: `"${w}" is not a number of seconds` });
      return z.NEVER;
    }
    seconds.push(n);
  }
  return { ...out, seconds };
});

export const dbBudgetCommands: Command[] = [
  command<Args>({
    family: "db-budget",
    name: "",
    usage: USAGE,
    summary: "production DB time (2 × staging + 10m) against the downtime window",
    example: "!db-budget 70.5 312 1204",
    args,
    roles: ["engineer"],
    async run(ctx) {
      const s = ctx.services;
      const windowMs = ctx.args.windowMs ?? s.config.downtime.window;
      if (ctx.args.seconds) {
        await ctx.reply(verdict(budget(ctx.args.seconds, windowMs)));
        return;
      }
      const { host, glob } = ctx.args;
      if (!host || !s.config.hosts[host])
        throw new UsageError(
          `"${host}" is not a host in the config (hosts: ${Object.keys(s.config.hosts).join(", ") || "none"})`,
          USAGE,
        );
      const checked = checkLogGlob(host, glob!, s.config.dbBudget.logs[host]);
      if ("problem" in checked) throw new UserError(checked.problem, ErrorCode.Usage);
      await ctx.enqueue(
        jobRequest(
          "db-budget",
          { host, glob: checked.glob, windowMs },
          { summary: `db-budget ${host}:${checked.glob}` },
        ),
      );
    },
  }),
];
