import { z } from "zod";
import { UsageError, UserError } from "../core/errors.js";
import type { Config } from "../config/schema.js";
import { execContextFor, LOCAL_HOST } from "../exec/dispatch.js";
import { JobLock } from "../infra/job-lock.js";
import { showCommand } from "../exec/quote.js";
import type { JobHandler } from "../jobs/runner.js";
import type { Services } from "../domain/services.js";
import { type Command, command } from "./types.js";

/**
 * `!lpndt service-stop|service-start <service>` (seed 000): runs
 * `lpndt <verb> <service>` as the configured user on the configured host. The
 * service must be on the allow-list; anything that looks like shell syntax is
 * refused before a job exists. One lpndt at a time per host: a second one waits
 * behind the running one, in the order asked.
 */
const VERBS = ["service-stop", "service-start"] as const;
type Verb = (typeof VERBS)[number];

/** Characters a shell would treat specially, and whitespace. */
const SHELL_META = /[;&|`$(){}<>\\'"*?![\]~#=%^,\s]/u;

function settings(services: Services): NonNullable<Config["lpndt"]> {
  const cfg = services.config.lpndt;
  if (!cfg)
    throw new UserError("lpndt is not configured here (no lpndt: section in the config). Nothing was run.");
  return cfg;
}

/** The service named, or a UserError saying why it is refused. Runs before anything is queued. */
export function checkService(
  cfg: NonNullable<Config["lpndt"]>,
  words: string[],
  raw: string,
  usage: string,
): string {
  if (/[\r\n\0]/.test(raw))
    throw new UserError(
      "Refused: a line break or NUL in an lpndt command is not allowed. Nothing was queued.",
    );
  for (const w of words) {
    const bad = SHELL_META.exec(w);
    if (bad)
      throw new UserError(
        `Refused: "${w}" contains a shell metacharacter (${JSON.stringify(bad[0])}); give one service name from: ${cfg.services.join(", ")}. Nothing was queued.`,
      );
  }
  if (words.length !== 1) throw new UsageError("expected exactly one service", usage);
  const service = words[0]!;
  if (!cfg.services.includes(service))
    throw new UserError(
      `Refused: "${service}" is not on the lpndt allow-list (${cfg.services.join(", ")}). Nothing was queued.`,
    );
  return service;
}

const where = (cfg: NonNullable<Config["lpndt"]>) =>
  cfg.host === LOCAL_HOST ? "this host (local)" : cfg.host;
const lockFor = (services: Services, host: string) => new JobLock(services, `lpndt:${host}`);

function lpndtCommand(verb: Verb): Command {
  const usage = `!lpndt ${verb} <service>`;
  return command<string[]>({
    family: "lpndt",
    name: verb,
    usage,
    summary: `run lpndt ${verb} <service> on the configured host`,
    example: `!lpndt ${verb} cron-fdt`,
    args: z.array(z.string()),
    roles: ["engineer", "losa"],
    async run(ctx) {
      const cfg = settings(ctx.services);
      const service = checkService(cfg, ctx.args, ctx.msg.text, usage);
      const busy = await lockFor(ctx.services, cfg.host).holder();
      const summary = `lpndt ${verb} ${service}`;
      await ctx.enqueue({
        name: "lpndt",
        summary,
        data: { verb, service, idempotent: cfg.idempotent },
        ack: (rec) =>
          `queued #${rec.id}: ${summary} on ${where(cfg)}${busy ? ` — waits for #${busy.id} (${busy.summary}), which is running there now` : ""}`,
      });
    },
  });
}

export const lpndtCommands: Command[] = VERBS.map(lpndtCommand);

export const lpndtHandler: JobHandler = {
  name: "lpndt",
  // Not idempotent: after a crash mid-step the state is unknown and a human decides.
  // A job that died before the command was sent is safe to start again.
  idempotent: (rec) => rec.data.idempotent === true || rec.data.sent !== true,
  async run(job) {
    const { record: rec, services } = job;
    const cfg = settings(services);
    const verb = String(rec.data.verb) as Verb;
    if (!VERBS.includes(verb)) throw new UserError(`unknown lpndt verb "${verb}"`);
    const service = checkService(cfg, [String(rec.data.service)], "", `!lpndt ${verb} <service>`);
    const lock = lockFor(services, cfg.host);
    // A retry copies its original's data: until this job sends its own command, nothing was sent.
    if (rec.data.sent) await services.jobs.update(rec.id, { data: { ...rec.data, sent: false } });
    try {
      await lock.acquire(
        rec.id,
        (ahead) =>
          job.say(
            `waiting: #${ahead.id} (${ahead.summary}) is running on ${where(cfg)}; one lpndt at a time there`,
          ),
        job.signal,
      );
    } catch {
      throw new UserError("stopped before it started (the bot is shutting down); nothing ran on the host");
    }
    try {
      await services.jobs.update(rec.id, { data: { ...rec.data, sent: true } });
      const argv = [...cfg.command, verb, service];
      const r = await services.exec.execute(
        { host: cfg.host, user: cfg.user, argv, timeoutMs: cfg.timeout },
        execContextFor(job),
      );
      return {
        ok: r.ok,
        exit: r.exit,
        summary: `${showCommand(argv)} on ${where(cfg)}: ${r.summary}`,
        output: r.output,
      };
    } finally {
      await lock.release(rec.id);
    }
  },
};
