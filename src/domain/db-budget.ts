import { posix } from "node:path";
import { formatDuration } from "../core/duration.js";

/**
 * The DB time budget of seed 001: production takes about twice the aggregate
 * time of the staging restore, plus 10 minutes; it must fit the window.
 */
export const SAFETY_MS = 10 * 60_000;

export interface PatchTime {
  patch: string;
  seconds: number;
}

const APPLIED = /(\d+-\d+-\d+)\s+applied just now in\s+(\d+(?:\.\d+)?)\s+seconds/;

/**
 * Patch times from staging restore logs (`2208-30-0 applied just now in 70.5
 * seconds`). A patch seen in several logs counts once, with its last time (the
 * logs of repeated restores list the same patches again).
 */
export function parseAppliedLines(text: string): PatchTime[] {
  const byPatch = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = APPLIED.exec(line);
    if (!m) continue;
    byPatch.delete(m[1]!);
    byPatch.set(m[1]!, Number(m[2]));
  }
  return [...byPatch].map(([patch, seconds]) => ({ patch, seconds }));
}

export interface Budget {
  stagingMs: number;
  productionMs: number;
  windowMs: number;
  fits: boolean;
}

export function budget(stagingSeconds: readonly number[], windowMs: number): Budget {
  const stagingMs = Math.round(stagingSeconds.reduce((a, b) => a + b, 0) * 1000);
  const productionMs = 2 * stagingMs + SAFETY_MS;
  return { stagingMs, productionMs, windowMs, fits: productionMs <= windowMs };
}

/** Like formatDuration, but keeps the seconds next to hours (a verdict can turn on one second). */
function precise(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 3600) return formatDuration(s * 1000);
  return `${formatDuration(s * 1000 - (s % 60) * 1000)}${s % 60 ? ` ${s % 60}s` : ""}`;
}

export function verdict(b: Budget, what = "staging"): string {
  const est = `${what} ${precise(b.stagingMs)} → production estimate 2 × ${precise(b.stagingMs)} + 10m = ${precise(b.productionMs)}`;
  return b.fits
    ? `Within budget: ${est}, fits the ${precise(b.windowMs)} window with ${precise(b.windowMs - b.productionMs)} to spare.`
    : `OVER BUDGET: ${est}, ${precise(b.productionMs - b.windowMs)} more than the ${precise(b.windowMs)} window. Merge fewer revisions or back out the slow patch.`;
}

/**
 * The glob as it will run, if it reads only logs under one of the host's
 * configured folders (dbBudget.logs.<host>); otherwise one line saying why not.
 * A `*` or `?` never matches a `/`, so a glob whose fixed start is inside a
 * folder stays inside it; `..` is refused outright rather than resolved.
 */
export function checkLogGlob(
  host: string,
  glob: string,
  folders: readonly string[] | undefined,
): { glob: string } | { problem: string } {
  const key = `dbBudget.logs.${host}`;
  const refuse = (why: string) => ({
    problem: folders?.length
      ? `refused ${host}:${glob}: ${why}; allowed: globs under ${folders.join(", ")} (${key})`
      : `refused ${host}:${glob}: no log folders are configured for ${host}; add ${key} (absolute folders) to the config`,
  });
  if (!folders?.length) return refuse("");
  if (glob.startsWith("-")) return refuse('it starts with "-"');
  if (!glob.startsWith("/")) return refuse("not an absolute path");
  if (glob.split("/").includes("..")) return refuse('".." is not allowed');
  const norm = posix.normalize(glob);
  const inside = folders.some((f) => norm.startsWith(`${posix.normalize(f).replace(/\/+$/, "")}/`));
  if (!inside || norm.endsWith("/")) return refuse(`not under a log folder configured for ${host}`);
  return { glob: norm };
}
