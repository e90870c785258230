import type { Downtime } from "../../announce/downtimes.js";
import { type SlotKind, windowStart } from "../../announce/plan.js";
import { formatDuration } from "../../core/duration.js";
import type { SlotView } from "../data.js";
import { esc, type Html, html, time, utc } from "../html.js";

/**
 * The public status page and its Atom feed: downtimes in Statuspage's states
 * (scheduled → in progress → completed) and each public announcement as it went
 * out, in words of its own. Nothing internal: no commands, hosts, logs or people.
 */
export type PublicState = "scheduled" | "in progress" | "completed" | "cancelled";

export const publicState = (d: Downtime): PublicState =>
  d.status === "started"
    ? "in progress"
    : d.status === "done"
      ? "completed"
      : d.status === "scheduled"
        ? "scheduled"
        : "cancelled";

const title = (d: Downtime) => `Maintenance #${d.id}${d.title ? `: ${d.title}` : ""}`;

export function publicText(kind: SlotKind, d: Downtime): string {
  const end = windowStart(d) + d.windowMs;
  switch (kind) {
    case "merge-cutoff":
      return "";
    case "reminder":
      return `Reminder: scheduled maintenance starts ${utc(d.start)} and may last until ${utc(end)}.`;
    case "early-pause":
      return `Scheduled maintenance starts soon (${utc(d.start)}); some services may begin pausing.`;
    case "start":
      return `Scheduled maintenance is in progress (until ${utc(end)}).`;
    case "off-track":
      return "Scheduled maintenance is in progress; we are checking it is on track.";
    case "overrun":
      return `Scheduled maintenance is taking longer than planned (window ended ${utc(end)}).`;
  }
}

export interface PublicDowntime {
  d: Downtime;
  slots: SlotView[];
}

/** Public announcements that went out, newest first. */
export const sentUpdates = (p: PublicDowntime) =>
  p.slots
    .filter((x) => x.audience === "public" && (x.state === "sent" || x.state === "sending"))
    .map((x) => ({ at: x.due, text: publicText(x.kind, p.d), kind: x.kind }))
    .reverse();

export function renderStatus(items: readonly PublicDowntime[], now: number): Html {
  const groups: [string, PublicDowntime[]][] = [
    ["In progress", items.filter((p) => publicState(p.d) === "in progress")],
    ["Scheduled", items.filter((p) => publicState(p.d) === "scheduled")],
    [
      "Recently completed",
      items.filter((p) => publicState(p.d) === "completed" && (p.d.endedAt ?? 0) > now - 14 * 86_400_000),
    ],
  ];
  return html`<h1>Service status</h1>
  ${
    groups.every(([, l]) => !l.length)
      ? html`<p>No maintenance scheduled.</p>`
      : groups.map(([h, list]) =>
          list.length
            ? html`<h2>${h}</h2>${list.map(
                (p) => html`<section class="maint" data-id="${p.d.id}"><h3>${title(p.d)}
                <span class="st st-${publicState(p.d).replace(" ", "-")}">${publicState(p.d)}</span></h3>
                <p>${time(p.d.startedAt ?? p.d.start)} – ${time(p.d.endedAt ?? windowStart(p.d) + p.d.windowMs)}${
                  p.d.durationMs !== undefined ? ` (took ${formatDuration(p.d.durationMs)})` : ""
                }</p>
                <ul>${sentUpdates(p).map((u) => html`<li>${time(u.at)}: ${u.text}</li>`)}</ul></section>`,
              )}`
            : "",
        )
  }`;
}

export function renderAtom(items: readonly PublicDowntime[], base: string, now: number): string {
  const entries = items.flatMap((p) =>
    [
      {
        id: `${p.d.id}-rev${p.d.rev}-${publicState(p.d)}`,
        at: p.d.endedAt ?? p.d.startedAt ?? p.d.createdAt,
        text: `${title(p.d)}: ${publicState(p.d)}, ${utc(p.d.start)} for ${formatDuration(p.d.windowMs)}`,
      },
      ...sentUpdates(p).map((u) => ({
        id: `${p.d.id}-${u.kind}-${u.at}`,
        at: u.at,
        text: `${title(p.d)}: ${u.text}`,
      })),
    ].map((e) => ({ ...e, d: p.d })),
  );
  entries.sort((a, b) => b.at - a.at);
  const iso = (t: number) => new Date(t).toISOString();
  const updated = entries[0]?.at ?? now;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Service status</title><id>${esc(base)}/status</id><updated>${iso(updated)}</updated>
<link rel="alternate" href="${esc(base)}/status"/><link rel="self" href="${esc(base)}/status.atom"/>
${entries
  .map(
    (e) =>
      `<entry><id>${esc(base)}/status#${esc(e.id)}</id><title>${esc(e.text)}</title><updated>${iso(e.at)}</updated><link href="${esc(base)}/status"/><content type="text">${esc(e.text)}</content></entry>`,
  )
  .join("\n")}
</feed>
`;
}
