import { type Config, type HostSpec, LOCAL_HOST } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { ExecContext, ExecRequest, Executor, StepResult } from "./executor.js";
import { LocalExecutor } from "./local.js";
import { rehearse } from "./rehearse.js";
import { SshExecutor } from "./ssh.js";

/**
 * `services.exec`: no host (or "local") → the bot's own host; otherwise the SSH
 * executor for that `hosts:` entry. The one way to a command: a rehearsal
 * (ctx.rehearsal) stops here, whatever asked, and nothing reaches SSH or a
 * local process; the command is shown as it would run instead (rehearse.ts).
 */
export class ExecDispatcher implements Executor {
  constructor(
    readonly local: Executor,
    readonly ssh: Executor,
    /** The `hosts:` entries, to show a rehearsed command's address, user and timeout. */
    readonly hosts: Readonly<Record<string, HostSpec>> = {},
  ) {}

  execute(req: ExecRequest, ctx: ExecContext): Promise<StepResult> {
    const remote = req.host !== undefined && req.host !== LOCAL_HOST;
    if (ctx.rehearsal) return rehearse(req, { ...ctx, rehearsal: ctx.rehearsal }, this.hosts, !remote);
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
    config.hosts,
  );
}
