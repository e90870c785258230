import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import type { Outcome } from "../../../core/result.js";
import { describeRcMode, getRcMode, turnRcMode } from "../../rc-mode.js";
import type { PerformContext, StepKind } from "./types.js";

/**
 * RC mode on or off, exactly as `!rc-mode on|off` does it (domain/rc-mode.ts
 * turnRcMode): the configured remote steps, the state `!rc-mode` reports, its
 * topic segment and its announcement. Undoing the step turns it the other way.
 */
async function turn(ctx: PerformContext, step: StepOf<"rc-mode">, on: boolean): Promise<Outcome> {
  const { run } = ctx;
  // Already so (someone typed !rc-mode): nothing to change, nothing to announce again, as !rc-mode says.
  const now = await getRcMode(ctx.services);
  if ((now?.on ?? false) === on)
    return { ok: true, summary: `${describeRcMode(now, ctx.services.clock.now())} Nothing changed.` };
  return turnRcMode(ctx.services, ctx.io, {
    on,
    by: ctx.who,
    reason: on ? (step.reason ?? `${run.runbook} run #${run.seq}`) : undefined,
    here: `${run.network}:${run.channel}`,
    id: ctx.ref.replace(/[^A-Za-z0-9._-]/g, "_"),
    meta: { runbook: run.runbook },
  });
}

export const rcModeKind: StepKind<StepOf<"rc-mode">> = {
  name: "rc-mode",
  schema: builtinSchema("rc-mode"),
  describe: (s) => `RC mode ${s.mode}, as !rc-mode ${s.mode}`,
  tag: (s) => `rc-mode ${s.mode}`,
  // Like !rc-mode's job: re-run after a restart only when every configured remote step is idempotent
  // (the step may say idempotent: true); the state, topic and announcement are safe to repeat.
  idempotent: false,
  begin: "job",
  perform: (ctx, step) => turn(ctx, step, step.mode === "on"),
  revert: (ctx, step) => turn(ctx, step, step.mode !== "on"),
};
