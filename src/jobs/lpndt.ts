import { UserError } from "../core/errors.js";
import { checkService, lockFor, settings, VERBS, where } from "../domain/lpndt.js";
import { showCommand } from "../exec/quote.js";
import { execContextFor } from "./exec-context.js";
import type { JobHandler } from "./runner.js";

/** Runs `lpndt <verb> <service>` on the configured host, one at a time per host. */
export const lpndtHandler: JobHandler<"lpndt"> = {
  name: "lpndt",
  // Not idempotent: after a crash mid-step the state is unknown and a human decides.
  // A job that died before the command was sent is safe to start again.
  idempotent: (data) => data.idempotent === true || data.sent !== true,
  async run(job) {
    const { record: rec, services } = job;
    const cfg = settings(services);
    const { verb } = job.data;
    if (!VERBS.includes(verb)) throw new UserError(`unknown lpndt verb "${verb}"`);
    const service = checkService(cfg, [job.data.service], "", `!lpndt ${verb} <service>`);
    const lock = lockFor(services, cfg.host);
    // A retry copies its original's data: until this job sends its own command, nothing was sent.
    if (job.data.sent) await services.jobs.update(rec.id, { data: { ...job.data, sent: false } });
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
      await services.jobs.update(rec.id, { data: { ...job.data, sent: true } });
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
