import { announcedSummary } from "../../../announce/announcer.js";
import {
  finishDowntime,
  reopenDowntime,
  startDowntime,
  unstartDowntime,
} from "../../../announce/downtime-run.js";
import { downtimes } from "../../../announce/lifecycle.js";
import { startTooEarly } from "../../../announce/plan.js";
import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { formatDuration } from "../../../core/duration.js";
import type { Outcome } from "../../../core/result.js";
import { formatUtc, formatUtcTime as utcTime } from "../../../core/time.js";
import { offTrackAlarm } from "../off-track.js";
import type { PerformContext, StepKind } from "./types.js";

/**
 * The two downtime markers: the run remembers when each was passed (the first
 * time), `!migrate log` shows the downtime measured between them, and each may
 * announce a text. Bound to a scheduled downtime (`!migrate start … downtime=3`),
 * passing the start marker starts that downtime and passing the end marker
 * marks it done, through the same functions as `!downtime start|done`; undoing
 * them puts the downtime back as it was. Inside the downtime the start marker's
 * tick watches the run against its estimates (off-track.ts).
 */

/** The bound downtime's side of a marker: nothing when the run is not bound to one. */
async function linked(
  ctx: PerformContext,
  start: boolean,
): Promise<Outcome | { at: number; id: number } | undefined> {
  const id = ctx.run.downtime.linked;
  if (id === undefined) return undefined;
  const s = ctx.services;
  const d = await downtimes(s).get(id);
  if (!d) return { ok: false, summary: `downtime #${id} no longer exists` };
  try {
    if (start) {
      // Started by hand meanwhile (or by this step before a restart): the run goes on with it.
      if (d.status === "started") {
        d.run ??= `${ctx.run.runbook} #${ctx.run.seq}`;
        await downtimes(s).save(d);
        return { at: d.startedAt ?? d.start, id };
      }
      // Far ahead of its plan, as !downtime start would ask for a confirm, the marker waits for a person.
      const pause = startTooEarly(d, s.clock.now(), s.config.downtime.leadTimes);
      if (pause !== undefined)
        return {
          ok: false,
          summary: `downtime #${id} is planned for ${formatUtc(d.start)}; services may begin pausing only from ${formatUtc(pause)}. Start it with !downtime start ${id} --early (then !migrate retry goes on with it), or !migrate retry from then on`,
        };
      const done = await startDowntime(s, id, ctx.who, `${ctx.run.runbook} #${ctx.run.seq}`);
      return { at: done.startedAt!, id };
    }
    if (d.status === "done") return { at: d.endedAt ?? s.clock.now(), id };
    const done = await finishDowntime(s, id);
    return { at: done.endedAt!, id };
  } catch (e) {
    return { ok: false, summary: `downtime #${id}: ${(e as Error).message}` };
  }
}

function marker(which: "downtime-start" | "downtime-end"): StepKind<StepOf<typeof which>> {
  const start = which === "downtime-start";
  return {
    name: which,
    schema: builtinSchema(which),
    describe: () => (start ? "downtime starts" : "downtime ends"),
    idempotent: true,
    begin: "job",
    perform: (ctx, step) => mark(ctx, step, start, true),
    // A rehearsal measures its own downtime and changes no scheduled one; its announcement is shown in its channel only.
    rehearse: (ctx, step) => mark(ctx, step, start, false),
    // Undone, the marker is as if never passed; a bound downtime goes back to scheduled (start) or in progress (end).
    async revert(ctx) {
      const { run } = ctx;
      const id = run.downtime.linked;
      const why = `${run.runbook} run #${run.seq}: ${ctx.who} undid ${ctx.name}`;
      const d =
        id === undefined
          ? undefined
          : start
            ? await unstartDowntime(ctx.services, id, why)
            : await reopenDowntime(ctx.services, id, why);
      await ctx.update((r) => {
        if (start) {
          delete r.downtime.start;
          delete r.downtime.offTrackAt;
        }
        delete r.downtime.end;
      });
      const state = d ? `; downtime #${d.id} is ${start ? "scheduled again" : "in progress again"}` : "";
      return { ok: true, summary: `${start ? "downtime start" : "downtime end"} undone${state}` };
    },
    tick: start ? (env, run) => offTrackAlarm(env, run) : undefined,
  };
}

/**
 * The run remembers when the marker was passed (the first time), and its text
 * is announced; `bind`: a bound downtime is started or marked done with it (a
 * rehearsal only says it would be).
 */
async function mark(
  ctx: PerformContext,
  step: StepOf<"downtime-start" | "downtime-end">,
  start: boolean,
  bind: boolean,
): Promise<Outcome> {
  const { run } = ctx;
  const bound = bind ? await linked(ctx, start) : undefined;
  if (bound && "ok" in bound) return bound;
  const now = bound?.at ?? ctx.services.clock.now();
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
  const id = run.downtime.linked;
  const which = bound
    ? ` (downtime #${bound.id} ${start ? "started" : "done"})`
    : id !== undefined
      ? ` (downtime #${id} would be ${start ? "started" : "marked done"}; not changed)`
      : "";
  const line = start
    ? `downtime started at ${utcTime(d.start!)}${which}`
    : `downtime ended at ${utcTime(d.end!)}${d.start ? `: ${formatDuration(d.end! - d.start)} measured` : ""}${which}`;
  return { ok: true, summary: said?.here ? `${line}; ${announcedSummary(said)}` : line };
}

export const downtimeStartKind = marker("downtime-start");
export const downtimeEndKind = marker("downtime-end");
