import { type Downtime, isOpen } from "../../announce/downtimes.js";
import { downtimes, pendingSlots } from "../../announce/lifecycle.js";
import { allSlots } from "../../announce/plan.js";
import { runbooksOf } from "../../config/runbook-load.js";
import { identityKey, rolesOf } from "../../core/identity.js";
import type { Identity } from "../../core/messages.js";
import { downtimePage, downtimesPage, runPage } from "../../domain/pages.js";
import { getRcMode, type RcModeState } from "../../domain/rc-mode.js";
import { activeRuns, getRun, type RunState } from "../../domain/runbook/state.js";
import type { Services } from "../../domain/services.js";

/** What App Home shows one person, read through the stores the bot itself uses. */
export interface HomeData {
  now: number;
  rc?: RcModeState;
  downtimes: { d: Downtime; next?: { kind: string; due: number }; url?: string }[];
  runs: {
    run: RunState;
    step?: { n: number; of: number; title: string; status: string; role?: string };
    url?: string;
  }[];
  /** Steps waiting for this person (a role they hold): acknowledge or confirm. */
  mine: { run: RunState; title: string; action: "ack" | "confirm" }[];
  /** This person may schedule a downtime: the form's button is shown. */
  maySchedule?: boolean;
  /** The web pages' address, when public (web.baseUrl). */
  base?: string;
  /** Where the downtime list is on the web, for a cut list. */
  downtimesUrl?: string;
}

/** What every viewer's Home shares, read once for all of them; `mine` is each viewer's (homeFor). */
export interface HomeState extends Omit<HomeData, "mine" | "maySchedule"> {
  roles: Record<string, readonly string[]>;
}

export async function homeState(s: Services): Promise<HomeState> {
  const now = s.clock.now();
  const base = s.config.web.enabled ? s.config.web.baseUrl : undefined;
  const link = (p: string) => (base ? `${base}${p}` : undefined);
  const open = (await downtimes(s).all()).filter(isOpen).sort((a, b) => a.start - b.start);
  const lead = s.config.downtime.leadTimes;
  const dts = await Promise.all(
    open.map(async (d) => {
      const pending = new Set(await pendingSlots(s, d));
      const next = allSlots(d, lead)
        .filter((x) => pending.has(x.kind))
        .sort((a, b) => a.due - b.due)[0];
      return { d, next: next && { kind: next.kind, due: next.due }, url: link(downtimePage(d.id)) };
    }),
  );
  const books = runbooksOf(s.config).runbooks;
  const runs = (await Promise.all((await activeRuns(s)).map((k) => getRun(s, k).catch(() => undefined))))
    .filter((r): r is RunState => !!r && r.status === "active")
    .sort((a, b) => a.startedAt - b.startedAt);
  const shown = runs.map((run) => {
    const steps = books.get(run.runbook)?.steps ?? [];
    const st = steps[run.cursor] as { title?: string; role?: string } | undefined;
    const status = run.steps[run.cursor]?.status ?? "pending";
    const step = st && {
      n: run.cursor + 1,
      of: steps.length,
      title: st.title ?? `step ${run.cursor + 1}`,
      status,
      ...(st.role ? { role: st.role } : {}),
    };
    return { run, step, url: link(runPage(run)) };
  });
  return {
    now,
    rc: await getRcMode(s),
    downtimes: dts,
    runs: shown,
    base,
    downtimesUrl: link(downtimesPage),
    roles: s.config.roles,
  };
}

/** One viewer's Home: the shared state, the steps waiting for a role they hold, and whether they may schedule. */
export function homeFor(state: HomeState, viewer: Identity, maySchedule = true): HomeData {
  const { roles: config, ...shared } = state;
  const roles = rolesOf(viewer, config);
  const mine: HomeData["mine"] = [];
  for (const { run, step } of state.runs) {
    if (!step || (step.role && !roles.includes(step.role))) continue;
    if (step.status === "awaiting-ack") mine.push({ run, title: step.title, action: "ack" });
    if (step.status === "awaiting-confirm" && run.steps[run.cursor]?.byId !== identityKey(viewer))
      mine.push({ run, title: step.title, action: "confirm" });
  }
  return { ...shared, mine, maySchedule };
}
