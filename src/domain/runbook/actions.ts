import type { Outcome } from "../../core/result.js";
import type { ExecContext, ExecRequest, StepResult } from "../../exec/executor.js";
import type { Services } from "../services.js";

/** Runs a command through services.exec: SSH for a `hosts:` entry, the bot's own host otherwise. */
export async function runCommand(
  s: Services,
  io: ExecContext,
  cmd: { host?: string; user?: string; argv: string[] },
  timeoutMs?: number,
): Promise<StepResult> {
  const req: ExecRequest = { host: cmd.host, argv: cmd.argv, timeoutMs };
  if (cmd.user) req.user = cmd.user;
  return s.exec.execute(req, io);
}

/** A command's result as a step's outcome. */
export const commandOutcome = async (
  s: Services,
  io: ExecContext,
  cmd: { host?: string; user?: string; argv: string[] },
  timeoutMs?: number,
): Promise<Outcome> => {
  const r = await runCommand(s, io, cmd, timeoutMs);
  return { ok: r.ok, summary: r.summary, output: r.output, exit: r.exit };
};
