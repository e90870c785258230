import type { RunState } from "../../domain/runbook/state.js";
import { esc, type Html, raw } from "../html.js";

/**
 * The run as a picture: one row per step, a bar from its start to its end (to now
 * while it runs), coloured by state, over a shaded band where the downtime
 * markers say the service was down.
 */
const COLOURS: Record<string, string> = {
  done: "#3f9c4a",
  running: "#3d7be0",
  waiting: "#3d7be0",
  failed: "#d8432e",
  interrupted: "#d8432e",
  "undo-failed": "#d8432e",
  "awaiting-ack": "#e0a500",
  "awaiting-confirm": "#e0a500",
  skipped: "#9aa3ab",
  undone: "#9aa3ab",
  undoing: "#9aa3ab",
};

export function timelineSvg(run: RunState, titles: readonly string[], now: number): Html {
  const t0 = run.startedAt;
  const t1 = Math.max(run.endedAt ?? now, t0 + 60_000);
  const rowH = 20;
  const left = 220;
  const width = 900;
  const plot = width - left - 10;
  const top = 24;
  const height = top + titles.length * rowH + 10;
  const x = (t: number) => left + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * plot;
  const parts: string[] = [];
  if (run.downtime.start !== undefined) {
    const a = x(run.downtime.start);
    const b = x(run.downtime.end ?? now);
    parts.push(
      `<rect x="${a}" y="${top - 6}" width="${Math.max(2, b - a)}" height="${height - top}" fill="#ffd2cc" opacity="0.6"><title>downtime</title></rect>`,
      `<text x="${a + 3}" y="${top - 10}" font-size="11" fill="#a3311f">downtime</text>`,
    );
  }
  titles.forEach((title, i) => {
    const sr = run.steps[i];
    const y = top + i * rowH;
    const label = title.length > 32 ? `${title.slice(0, 31)}…` : title;
    parts.push(`<text x="4" y="${y + 13}" font-size="12">${esc(`${i + 1}. ${label}`)}</text>`);
    if (!sr?.startedAt) return;
    const a = x(sr.startedAt);
    const b = x(sr.finishedAt ?? (["done", "skipped", "failed"].includes(sr.status) ? sr.startedAt : now));
    const fill = COLOURS[sr.status] ?? "#9aa3ab";
    parts.push(
      `<rect class="bar" data-step="${i + 1}" x="${a}" y="${y + 3}" width="${Math.max(3, b - a)}" height="${rowH - 6}" fill="${fill}"><title>${esc(`step ${i + 1}: ${sr.status}`)}</title></rect>`,
    );
  });
  parts.push(
    `<text x="${left}" y="12" font-size="11" fill="#66707a">${esc(new Date(t0).toISOString().slice(11, 16))} UTC</text>`,
    `<text x="${width - 10}" y="12" font-size="11" fill="#66707a" text-anchor="end">${esc(new Date(t1).toISOString().slice(11, 16))} UTC</text>`,
  );
  return raw(
    `<svg role="img" aria-label="timeline of the run" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join("")}</svg>`,
  );
}
