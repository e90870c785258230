import { announcedSummary } from "../../../announce/announcer.js";
import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { formatDuration } from "../../../core/duration.js";
import type { Outcome } from "../../../core/result.js";
import { formatUtcTime as utcTime } from "../../../core/time.js";
import type { PerformContext, StepKind } from "./types.js";

/**
 * The two downtime markers: the run remembers when each was passed (the first
 * time), `!migrate log` shows the downtime measured between them, and each may
 * announce a text.
 */
function marker(which: "downtime-start" | "downtime-end"): StepKind<StepOf<typeof which>> {
  const start = which === "downtime-start";
  return {
    name: which,
    schema: builtinSchema(which),
    describe: () => (start ? "downtime starts" : "downtime ends"),
    idempotent: true,
    begin: "job",
    perform: (ctx, step) => markRun(ctx, step, start),
    // A rehearsal measures its own downtime; its announcement is shown in its channel only.
    rehearse: (ctx, step) => markRun(ctx, step, start),
  };
}

/** The run remembers when the marker was passed (the first time), and its text is announced. */
async function markRun(
  ctx: PerformContext,
  step: StepOf<"downtime-start" | "downtime-end">,
  start: boolean,
): Promise<Outcome> {
  const { run } = ctx;
  const now = ctx.services.clock.now();
  const d = await ctx.update((r) => {
    if (start) r.downtime.start ??= now;
    else r.downtime.end ??= now;
    return { ...r.downtime };
  });
  const said = step.text
    ? await ctx.services.announcer.announce(step.text, {
        id: `rb-${run.runbook}-${run.seq}-${ctx.index}`,
        here: [`${run.network}:${run.channel}`],
        meta: { kind: "runbook" },
      })
    : undefined;
  const line = start
    ? `downtime started at ${utcTime(d.start!)}`
    : `downtime ended at ${utcTime(d.end!)}${d.start ? `: ${formatDuration(d.end! - d.start)} measured` : ""}`;
  return { ok: true, summary: said?.here ? `${line}; ${announcedSummary(said)}` : line };
}

export const downtimeStartKind = marker("downtime-start");
export const downtimeEndKind = marker("downtime-end");
