import type { StepOf } from "../../../config/runbook.js";
import { budget, parseAppliedLines, verdict } from "../../db-budget.js";
import { runbookOf } from "../context.js";
import type { PerformContext } from "./types.js";

/**
 * What a command check compares its output with, beside its exit status:
 * `expect` (a regular expression), `same` (the output an earlier check step
 * passed with: nothing changed since, e.g. a unit's restart count and active
 * time), `budget` (staging restore lines whose production estimate must fit a
 * window, as `!db-budget` computes it).
 */

/** Where a passing check keeps its output, in its job's data (for a later `same:`). */
const KEPT = "checkOutput";

/** Why the output does not pass, or undefined when it does. */
export async function outputProblem(
  ctx: PerformContext,
  step: StepOf<"check">,
  output: string,
): Promise<string | undefined> {
  if (step.expect !== undefined && !new RegExp(step.expect, "m").test(output))
    return `the output does not match /${step.expect}/`;
  if (step.same !== undefined) {
    const before = await earlierOutput(ctx, step.same);
    if (before === undefined) return `step "${step.same}" kept no output to compare with`;
    if (before.trim() !== output.trim())
      return `the output changed since step "${step.same}": was ${JSON.stringify(before.trim())}`;
  }
  if (step.budget !== undefined) {
    const patches = parseAppliedLines(output);
    if (!patches.length) return 'no "applied just now in" lines in the output';
    const b = budget(
      patches.map((p) => p.seconds),
      step.budget,
    );
    if (!b.fits) return verdict(b, `staging (${patches.length} patches)`);
  }
  return undefined;
}

/** The verdict line of a passing budget check. */
export function budgetLine(step: StepOf<"check">, output: string): string {
  const patches = parseAppliedLines(output);
  return verdict(
    budget(
      patches.map((p) => p.seconds),
      step.budget!,
    ),
    `staging (${patches.length} patch${patches.length === 1 ? "" : "es"})`,
  );
}

/** Keeps a passing check's output with its job, when a later step compares with it. */
export async function keepOutput(ctx: PerformContext, step: StepOf<"check">, output: string): Promise<void> {
  if (!runbookOf(ctx, ctx.run).steps.some((s) => s.kind === "check" && s.same === step.id)) return;
  const rec = await ctx.services.jobs.get(ctx.io.jobId);
  if (rec) await ctx.services.jobs.update(rec.id, { data: { ...rec.data, [KEPT]: output } });
}

async function earlierOutput(ctx: PerformContext, id: string): Promise<string | undefined> {
  const j = runbookOf(ctx, ctx.run).steps.findIndex((s) => s.id === id);
  const sr = ctx.run.steps[j];
  if (sr?.status !== "done" || sr.job === undefined) return undefined;
  const kept = (await ctx.services.jobs.get(sr.job))?.data[KEPT];
  return typeof kept === "string" ? kept : undefined;
}
