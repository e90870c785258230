import type { Clock } from "../core/clock.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../core/log.js";
import type { ExecContext, ExecRequest, Executor, StepResult } from "./executor.js";
import { LocalExecutor } from "./local.js";
import type { JobContext } from "../jobs/runner.js";
import { SshExecutor } from "./ssh.js";
// Registers the hosts check of `changebot validate`.
import "./ssh-validate.js";

/** The host name that means the bot's own host wherever a step names a host. */
export const LOCAL_HOST = "local";

/** `services.exec`: no host (or "local") → the bot's own host; otherwise the SSH executor for that `hosts:` entry. */
export class ExecDispatcher implements Executor {
  constructor(
    readonly local: Executor,
    readonly ssh: Executor,
  ) {}

  execute(req: ExecRequest, ctx: ExecContext): Promise<StepResult> {
    const remote = req.host !== undefined && req.host !== LOCAL_HOST;
    return remote ? this.ssh.execute(req, ctx) : this.local.execute({ ...req, host: undefined }, ctx);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.local.close?.(), this.ssh.close?.()]);
  }
}

export function createExecutor(
  config: Config,
  log: Logger,
  clock: Clock,
  env: NodeJS.ProcessEnv = process.env,
): ExecDispatcher {
  return new ExecDispatcher(
    new LocalExecutor({ log, clock, env }),
    new SshExecutor({ hosts: config.hosts, log, clock, env }),
  );
}

/** An ExecContext for a step run by a job: output into its log, progress lines in its thread. */
export function execContextFor(job: JobContext): ExecContext {
  const { record: rec, services } = job;
  return {
    jobId: rec.id,
    log: job.log,
    signal: job.signal,
    progress: (line) =>
      services.outbox.send({
        network: rec.network,
        target: rec.channel,
        kind: "progress",
        text: `#${rec.id} ${line}`,
        threadOf: rec.ref,
        threadId: rec.threadId,
      }),
  };
}
