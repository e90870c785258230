import type { RunState } from "./runbook/state.js";

/**
 * The web pages' paths for what chat talks about, shared by the pages
 * (src/web/) and the commands that link to them. A run's page id is
 * "<runbook>-<seq>" (e.g. ofn-server-move-3): stable, short, and what chat shows.
 */
export const runId = (run: Pick<RunState, "runbook" | "seq">) => `${run.runbook}-${run.seq}`;

export const runPage = (run: Pick<RunState, "runbook" | "seq">) => `/runs/${encodeURIComponent(runId(run))}`;
export const jobPage = (id: number) => `/jobs/${id}`;
export const downtimePage = (id: number) => `/downtimes/${id}`;
export const downtimesPage = "/downtimes";
