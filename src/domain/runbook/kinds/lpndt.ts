import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { UserError } from "../../../core/errors.js";
import type { Outcome } from "../../../core/result.js";
import { showCommand } from "../../../exec/quote.js";
import { lockFor } from "../../lpndt.js";
import { runCommand } from "../actions.js";
import type { PerformContext, StepKind } from "./types.js";

/**
 * `lpndt <verb> <service>` on a `hosts:` entry (seed 000), one at a time per
 * host: the step takes the same lock as `!lpndt` (domain/lpndt.ts), so a
 * runbook's lpndt waits while someone's `!lpndt` runs there, and the other way
 * round. When the config's `lpndt:` names the same host, its command and user are used.
 */
export const lpndtKind: StepKind<StepOf<"lpndt">> = {
  name: "lpndt",
  schema: builtinSchema("lpndt"),
  describe: (s) => `lpndt on ${s.host}: ${s.verb} ${s.service} (one lpndt at a time there)`,
  idempotent: false,
  begin: "job",
  // Shown through the dispatcher like any command; a rehearsal takes no host lock, so it never waits for a real lpndt.
  rehearse: (ctx, step) => lpndtCommand(ctx, step),
  async perform(ctx, step) {
    const { services, io } = ctx;
    const lock = lockFor(services, step.host);
    try {
      await lock.acquire(
        io.jobId,
        async (ahead) => {
          const line = `waiting: #${ahead.id} (${ahead.summary}) is running on ${step.host}; one lpndt at a time there`;
          await io.log(`${line}\n`);
          await io.progress?.(line);
        },
        io.signal,
      );
    } catch {
      throw new UserError("stopped before it started (the bot is shutting down); nothing ran on the host");
    }
    try {
      return await lpndtCommand(ctx, step);
    } finally {
      await lock.release(io.jobId);
    }
  },
};

async function lpndtCommand({ services, io }: PerformContext, step: StepOf<"lpndt">): Promise<Outcome> {
  const cfg = services.config.lpndt?.host === step.host ? services.config.lpndt : undefined;
  const argv = [...(cfg?.command ?? ["lpndt"]), step.verb, step.service];
  const r = await runCommand(
    services,
    io,
    { host: step.host, user: step.user ?? cfg?.user, argv },
    step.timeout ?? cfg?.timeout,
  );
  return {
    ok: r.ok,
    exit: r.exit,
    summary: `${showCommand(argv)} on ${step.host}: ${r.summary}`,
    output: r.output,
  };
}
