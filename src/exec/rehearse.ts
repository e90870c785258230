import type { HostSpec } from "../config/schema.js";
import { formatDuration } from "../core/duration.js";
import type { ExecContext, ExecRequest, StepResult } from "./executor.js";
import { shellCommand, showCommand } from "./quote.js";

/**
 * A command as it would run, for a rehearsal: where (host entry, user, address,
 * jump host), the words exactly as sent (over SSH: the single-quoted command line
 * the remote shell gets; here: the argument vector, no shell), and the timeout
 * it would get. Throws, as the real run would fail, when it could not run at all.
 */
export function wouldRun(
  req: ExecRequest,
  hosts: Readonly<Record<string, HostSpec>>,
  local: boolean,
): string {
  if (req.argv.length === 0) throw new Error("empty command");
  if (local) {
    const limit = req.timeoutMs ? `timeout ${formatDuration(req.timeoutMs)}` : "no timeout";
    return `local (no shell): ${showCommand(req.argv)} (${limit})`;
  }
  const name = req.host!;
  const spec = hosts[name];
  if (!spec) throw new Error(`there is no host "${name}" in hosts:`);
  const user = req.user ?? spec.user;
  const via = spec.jump ? ` via ${spec.jump}` : "";
  const limit = req.timeoutMs ?? spec.timeout;
  return `ssh ${name} (${user}@${spec.host}:${spec.port}${via}): ${shellCommand(req.argv)} (${
    limit ? `timeout ${formatDuration(limit)}` : "no timeout"
  })`;
}

/** A rehearsed command's result: nothing ran; the line says what would have. */
export async function rehearse(
  req: ExecRequest,
  ctx: ExecContext & { rehearsal: NonNullable<ExecContext["rehearsal"]> },
  hosts: Readonly<Record<string, HostSpec>>,
  local: boolean,
): Promise<StepResult> {
  let line: string;
  try {
    line = wouldRun(req, hosts, local);
  } catch (e) {
    const summary = `REHEARSAL: this command could not run: ${(e as Error).message}`;
    await ctx.log(`${summary}\n`);
    return { ok: false, summary, output: "", durationMs: 0 };
  }
  await ctx.log(`REHEARSAL, not run: ${line}\n`);
  await ctx.rehearsal.record(line);
  return { ok: true, exit: 0, summary: `would run ${line}`, output: "", durationMs: 0 };
}
