import type { Downtime } from "../announce/downtimes.js";
import { slotKey } from "../announce/lifecycle.js";
import { allSlots, type SlotKind } from "../announce/plan.js";
import { activeRuns, endedRunKey, getRun, type RunState } from "../domain/runbook/state.js";
import type { Services } from "../domain/services.js";

/** What the pages read, all through the stores the bot itself uses. */

/** Every stored run key (active or ended: a channel keeps the last run of each runbook). */
async function allRunKeys(s: Services): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await s.redis.scan(cursor, "MATCH", `${s.prefix}:rb:run:*`, "COUNT", 500);
    cursor = next;
    out.push(...keys.filter((k) => !k.endsWith(":lock")));
  } while (cursor !== "0");
  return out;
}

export async function findRun(s: Services, id: string): Promise<RunState | undefined> {
  const m = /^(.+)-(\d+)$/.exec(id);
  if (!m) return undefined;
  const [, runbook, seq] = m;
  // A run a newer one replaced in its channel is kept under its page id.
  const ended = await s.redis.get(endedRunKey(s, runbook!, Number(seq)));
  if (ended) return JSON.parse(ended) as RunState;
  const active = await activeRuns(s);
  const candidates = [...active, ...(await allRunKeys(s)).filter((k) => !active.includes(k))].filter((k) =>
    k.endsWith(`:${runbook}`),
  );
  for (const k of candidates) {
    const run = await getRun(s, k).catch(() => undefined);
    if (run && run.runbook === runbook && run.seq === Number(seq)) return run;
  }
  return undefined;
}

/** Active runs first, then recently ended ones, newest first. */
export async function listRuns(s: Services, limit = 20): Promise<RunState[]> {
  const keys = await allRunKeys(s);
  const runs = (await Promise.all(keys.map((k) => getRun(s, k).catch(() => undefined)))).filter(
    (r): r is RunState => !!r && typeof r.seq === "number",
  );
  return runs
    .sort(
      (a, b) =>
        Number(b.status === "active") - Number(a.status === "active") ||
        (b.endedAt ?? b.startedAt) - (a.endedAt ?? a.startedAt),
    )
    .slice(0, limit);
}

export type SlotState = "sent" | "late" | "due" | "dropped" | "sending" | "cancelled" | "missed";

export interface SlotView {
  kind: SlotKind;
  due: number;
  audience: "engineers" | "public";
  state: SlotState;
}

/**
 * Each announcement of the downtime's current plan and what became of it:
 * sent (posted), due (waiting for its moment), late (its moment passed and it
 * is still waiting: the bot is behind or was down), dropped (came due while the
 * bot was down and no longer mattered), cancelled (the downtime ended first), missed
 * (its moment had passed when the plan was made).
 */
export async function slotsOf(s: Services, d: Downtime, waiting: Set<string>): Promise<SlotView[]> {
  const now = s.clock.now();
  const slots = allSlots(d, s.config.downtime.leadTimes);
  const marks = slots.length
    ? await s.redis.mget(slots.map((x) => `${s.prefix}:announce:mark:${slotKey(d, x.kind)}`))
    : [];
  return slots.map((x, i) => {
    const mark = marks[i];
    let state: SlotState;
    if (mark === "posted") state = "sent";
    else if (mark === "dropped") state = "dropped";
    else if (mark === "posting") state = "sending";
    else if (waiting.has(slotKey(d, x.kind)))
      state = x.due + s.config.downtime.lateAfter < now ? "late" : "due";
    else if (d.status === "scheduled" || d.status === "started")
      state = x.due < d.createdAt ? "missed" : "due";
    else state = "cancelled";
    return { kind: x.kind, due: x.due, audience: x.audience, state };
  });
}

/** Audit entries (moves, cancellations, …) of one downtime, oldest first. */
export async function downtimeHistory(s: Services, id: number): Promise<Record<string, string>[]> {
  const re = new RegExp(`downtime\\s+(move|cancel|abort|start|done)\\s+#?${id}(\\s|$)`);
  const rows = await s.audit.recent(1000);
  return rows.filter((r) => r.event === "command" && re.test(r.command ?? "")).reverse();
}
