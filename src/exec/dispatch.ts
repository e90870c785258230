import { type Config, LOCAL_HOST } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { ExecContext, ExecRequest, Executor, StepResult } from "./executor.js";
import { LocalExecutor } from "./local.js";
import { SshExecutor } from "./ssh.js";

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
