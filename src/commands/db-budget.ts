import { posix } from "node:path";
import { z } from "zod";
import { ErrorCode, UsageError, UserError } from "../bot/errors.js";
import { parseDuration } from "../config/duration.js";
import { budget, parseAppliedLines, verdict } from "../jobs/budget.js";
import type { JobHandler } from "../jobs/runner.js";
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

/**
 * The glob as it will run, if it reads only logs under one of the host's
 * configured folders (dbBudget.logs.<host>); otherwise one line saying why not.
 * A `*` or `?` never matches a `/`, so a glob whose fixed start is inside a
 * folder stays inside it; `..` is refused outright rather than resolved.
 */
export function checkLogGlob(
  host: string,
  glob: string,
  folders: readonly string[] | undefined,
): { glob: string } | { problem: string } {
  const key = `dbBudget.logs.${host}`;
  const refuse = (why: string) => ({
    problem: folders?.length
      ? `refused ${host}:${glob}: ${why}; allowed: globs under ${folders.join(", ")} (${key})`
      : `refused ${host}:${glob}: no log folders are configured for ${host}; add ${key} (absolute folders) to the config`,
  });
  if (!folders?.length) return refuse("");
  if (glob.startsWith("-")) return refuse('it starts with "-"');
  if (!glob.startsWith("/")) return refuse("not an absolute path");
  if (glob.split("/").includes("..")) return refuse('".." is not allowed');
  const norm = posix.normalize(glob);
  const inside = folders.some((f) => norm.startsWith(`${posix.normalize(f).replace(/\/+$/, "")}/`));
  if (!inside || norm.endsWith("/")) return refuse(`not under a log folder configured for ${host}`);
  return { glob: norm };
}

export const dbBudgetHandler: JobHandler = {
  name: "db-budget",
  // Only reads logs.
  idempotent: true,
  async run({ record, services, log, signal }) {
    const { host, glob, windowMs } = record.data as { host: string; glob: string; windowMs: number };
    const r = await services.exec.execute(
      {
        host,
        // $1 unquoted: the remote shell expands the glob (it was checked to hold no metacharacters).
        argv: ["sh", "-c", 'grep -h -e "applied just now in" -- $1', "sh", glob],
        timeoutMs: services.config.hosts[host]?.timeout,
      },
      { jobId: record.id, log, signal },
    );
    const patches = parseAppliedLines(r.output);
    if (!patches.length) {
      const why =
        r.exit === 1
          ? 'no "applied just now in" lines in those logs'
          : /No such file/.test(r.output)
            ? "no log file matches that glob"
            : r.summary;
      return { ok: false, summary: `${host}:${glob}: ${why}` };
    }
    const b = budget(
      patches.map((p) => p.seconds),
      windowMs,
    );
    return {
      ok: true,
      summary: verdict(b, `staging (${patches.length} patch${patches.length === 1 ? "" : "es"})`),
      output: patches.map((p) => `${p.patch} ${p.seconds}s`).join("\n"),
    };
  },
};

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
      await ctx.enqueue({
        name: "db-budget",
        summary: `db-budget ${host}:${checked.glob}`,
        data: { host, glob: checked.glob, windowMs },
      });
    },
  }),
];
