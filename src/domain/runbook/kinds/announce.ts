import { announcedSummary } from "../../../announce/announcer.js";
import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { rehearsalNote } from "../rehearsal.js";
import { showTarget } from "../rehearsal-world.js";
import type { StepKind } from "./types.js";

/** An announcement to the configured targets (or the step's own), and in the run's channel. */
export const announceKind: StepKind<StepOf<"announce">> = {
  name: "announce",
  schema: builtinSchema("announce"),
  describe: () => "announcement",
  idempotent: true,
  begin: "job",
  // A rehearsal's services announce in the run's channel only, marked (runbook/rehearsal-world.ts).
  async rehearse(ctx, step) {
    const said = await ctx.services.announcer.announce(step.text, {
      targets: step.targets,
      here: [`${ctx.run.network}:${ctx.run.channel}`],
    });
    const where = said.targets.map(showTarget).join(", ") || "nowhere";
    await rehearsalNote(ctx, `would announce to ${where}: ${step.text.split("\n")[0]}`);
    return { ok: true, summary: `announcement shown here, not made (it would go to ${where})` };
  },
  async perform(ctx, step) {
    const { run } = ctx;
    const said = await ctx.services.announcer.announce(step.text, {
      targets: step.targets,
      here: [`${run.network}:${run.channel}`],
      // Unique per run, step and direction: an announcement made twice is delivered once.
      id: ctx.ref.replace(/[^A-Za-z0-9._-]/g, "_"),
      meta: { kind: "runbook", runbook: run.runbook },
    });
    return { ok: said.targets.length > 0, summary: announcedSummary(said) };
  },
};
