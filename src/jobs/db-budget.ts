import { budget, parseAppliedLines, verdict } from "../domain/db-budget.js";
import type { JobHandler } from "./runner.js";

/** `!db-budget <host>:<glob>`: greps the staging restore logs over SSH and compares 2 × staging + 10 min with the window. */
export const dbBudgetHandler: JobHandler<"db-budget"> = {
  name: "db-budget",
  // Only reads logs.
  idempotent: true,
  async run(job) {
    const { record, services, log, signal } = job;
    const { host, glob, windowMs } = job.data;
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
