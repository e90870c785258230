import { UserError } from "../core/errors.js";

/** The flag that makes `!migrate start` begin a rehearsal (docs/runbooks.md). */
export const REHEARSE_FLAG = "--rehearse";

/**
 * `!migrate start` options, apart from the runbook and its key=value words:
 * `--rehearse` (anywhere after `start`). Any other word starting with `--` is
 * refused, so a mistyped flag never starts a real run.
 */
export function startOptions(args: readonly string[]): { args: string[]; rehearse: boolean } {
  const rest: string[] = [];
  let rehearse = false;
  for (const a of args) {
    if (a === REHEARSE_FLAG) rehearse = true;
    else if (a.startsWith("--"))
      throw new UserError(
        `Unknown option "${a}": !migrate start takes ${REHEARSE_FLAG} (a rehearsal: commands shown, nothing run). Nothing started.`,
      );
    else rest.push(a);
  }
  if (!rest.length) throw new UserError("missing the runbook to start (see !migrate list)");
  return { args: rest, rehearse };
}
