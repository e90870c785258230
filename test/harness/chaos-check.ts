import type { Job } from "bullmq";
import type { OutboundMessage } from "../../src/core/messages.js";
import type { RunState } from "../../src/domain/runbook/state.js";
import { outboxQueueName, Queues } from "../../src/infra/queues.js";
import type { IrcWatcher } from "./chaos-irc.js";
import type { Operator } from "./chaos-operator.js";
import type { ChaosWorld } from "./chaos-world.js";

/**
 * The drill's invariants, checked on what cannot miss a line: the sshd's record
 * of every fake command started (appended by the command itself), the
 * console's output (every bot's stdout is a pipe the drill holds, so what a bot
 * wrote before its kill -9 is still read), the announcement markers and the
 * outbox queues in Redis. IRC is not used to count: an observer on IRC is
 * itself cut off while ngircd restarts and could miss a line.
 */
export interface Announced {
  what: string;
  /** Console lines that carry it (exactly 1, or 0 if the bot dropped it by design). */
  seen: number;
  /** The delivery marker in Redis, for a downtime slot: posted or dropped. */
  marker?: string | null;
  /** Lines an IRC watcher saw (it misses what is said while ngircd is down; never more than 1). */
  irc?: number;
  /** Not seen on IRC although the watcher was in the channel from 2 s before to 15 s after the console line. */
  ircLost?: boolean;
  /** When it reached the console. */
  at?: number;
}

export const SLOTS: [string, RegExp][] = [
  ["merge-cutoff", /merge cut-off for Downtime #1 /],
  ["reminder", /Reminder: Downtime #1 /],
  ["early-pause", /Downtime #1 \(Chaos drill\) starts in .*services may begin pausing/],
  ["start", /Downtime #1 \(Chaos drill\) has begun/],
  ["off-track", /Downtime #1 \(Chaos drill\) is .* in: if the rollout/],
  ["overrun", /Downtime #1 \(Chaos drill\) window ended at/],
];
const RUNBOOK_ANNOUNCEMENT = /Chaos drill: the service is moving now\./;
const SCHEDULED = /Downtime #1 \(Chaos drill\) scheduled: /;
/** An announcement on the console: "[announce] …" or "[alert] …", perhaps marked late. */
const ANNOUNCED = /^\[(announce|alert)\] /;
const countAnnounced = (lines: readonly string[], re: RegExp) =>
  lines.filter((l) => ANNOUNCED.test(l) && re.test(l)).length;

export const slotKey = (slot: string) => `dt-1-r1-${slot}`;
export const markerKey = (prefix: string, slot: string) => `${prefix}:announce:mark:${slotKey(slot)}`;

/** Slots already past when the bot scheduled the plan: not announced, and the reply says so. */
export function missedSlots(lines: readonly string[]): Set<string> {
  const past = /Already past, not announced: ([^.]*)\./.exec(
    lines.find((l) => /^Scheduled #1 /.test(l)) ?? "",
  );
  return new Set(past ? past[1]!.split(", ") : []);
}

export interface Checked {
  violations: string[];
  commands: { step: string; call: string; idempotent: boolean; ran: number }[];
  announcements: Announced[];
  replies: { delivered: number; queued: number; failed: number };
}

export async function checkInvariants(
  world: ChaosWorld,
  op: Operator,
  run: RunState | undefined,
  irc?: IrcWatcher,
): Promise<Checked> {
  const violations: string[] = [];
  const lines = world.lines;

  // Remote commands: at most once unless idempotent, at least once if the run got past the step.
  const commands = op.steps
    .filter((s) => s.call)
    .map((s) => ({
      step: s.id,
      call: s.call!,
      idempotent: s.idempotent || s.kind === "loop",
      ran: op.count(s.call!),
    }));
  for (const c of commands) {
    const i = op.steps.findIndex((s) => s.id === c.step);
    const passed = run && (run.cursor > i || run.status === "finished");
    if (!c.idempotent && c.ran > 1)
      violations.push(`${c.call} (step ${c.step}, not idempotent) ran ${c.ran} times`);
    if (passed && c.ran < 1 && run.steps[i]?.status === "done" && !run.steps[i]?.note)
      violations.push(`${c.call} (step ${c.step}) never ran, yet the step is done`);
  }
  // Every step the run showed as interrupted was said so in chat.
  for (const [job, t] of op.troubled)
    if (
      t.status === "interrupted" &&
      !lines.some((l) => new RegExp(`#${job}\\b`).test(l) && /interrupted/.test(l))
    )
      violations.push(`job #${job} (step ${t.step}) was interrupted and the bot never said so`);

  // Announcements: each exactly once on the console, or dropped by design (its marker says so).
  const announcements: Announced[] = [];
  const missed = missedSlots(lines);
  for (const [slot, re] of SLOTS) {
    const seen = countAnnounced(lines, re);
    const marker = await world.kv.get(markerKey(world.prefix, slot));
    announcements.push({
      what: slot,
      seen,
      marker: missed.has(slot) ? "already past when scheduled" : marker,
    });
    if (
      missed.has(slot)
        ? seen !== 0
        : !(seen === 1 && marker === "posted") && !(seen === 0 && marker === "dropped")
    )
      violations.push(`announcement ${slot}: seen ${seen} times, marker ${marker ?? "none"}`);
  }
  const scheduled = countAnnounced(lines, SCHEDULED);
  announcements.unshift({ what: "scheduled", seen: scheduled });
  if (scheduled !== 1) violations.push(`the downtime's "scheduled" announcement was seen ${scheduled} times`);
  const rbSeen = countAnnounced(lines, RUNBOOK_ANNOUNCEMENT);
  if (irc) {
    const res = new Map<string, RegExp>([
      ...SLOTS,
      ["scheduled", SCHEDULED],
      ["runbook step tell", RUNBOOK_ANNOUNCEMENT],
    ]);
    for (const a of announcements) {
      const re = res.get(a.what)!;
      a.irc = irc.count(re);
      const at = lines.findIndex((l) => ANNOUNCED.test(l) && re.test(l));
      const t = world.lineTimes[at];
      a.at = t;
      if (a.irc === 0 && t !== undefined && irc.wasPresent(t - 2_000, t + 15_000)) a.ircLost = true;
    }
    const rbIrc = irc.count(RUNBOOK_ANNOUNCEMENT);
    for (const a of [...announcements, { what: "runbook step tell", irc: rbIrc }])
      if ((a.irc ?? 0) > 1) violations.push(`announcement ${a.what} was posted ${a.irc} times on IRC`);
  }
  announcements.push({ what: "runbook step tell", seen: rbSeen, irc: irc?.count(RUNBOOK_ANNOUNCEMENT) });
  if (rbSeen !== 1 && !(rbSeen === 0 && run?.status !== "finished"))
    violations.push(`the runbook's announcement was seen ${rbSeen} times`);

  const replies = await checkReplies(world, violations);
  // Not on IRC although someone was there all along, and nothing is left to send: lost on the way.
  if (replies.queued === 0)
    for (const a of announcements)
      if (a.ircLost)
        violations.push(`announcement ${a.what} never reached IRC though the watcher was in the channel`);
  if (run?.status !== "finished")
    violations.push(
      `the run did not finish: ${run ? `${run.status} at step ${run.cursor + 1}` : "never started"}`,
    );
  if (world.selfExits.length) violations.push(...world.selfExits.map((e) => `the bot ended by itself: ${e}`));
  return { violations, commands, announcements, replies };
}

/** Every message the outbox took is delivered (its console text is in the output) or still queued; none failed. */
async function checkReplies(world: ChaosWorld, violations: string[]) {
  const queues = new Queues({ redisUrl: world.redis.url, prefix: world.prefix });
  const out = { delivered: 0, queued: 0, failed: 0 };
  try {
    for (const net of ["console", "irc"]) {
      const q = queues.get(outboxQueueName(net));
      const failed = (await q.getJobs(["failed"])) as Job<OutboundMessage>[];
      out.failed += failed.length;
      for (const j of failed)
        violations.push(`${net} message failed for good: ${j.data.text?.slice(0, 80)} (${j.failedReason})`);
      out.queued += (await q.getJobs(["wait", "active", "prioritized", "delayed"])).length;
      const done = (await q.getJobs(["completed"])) as Job<OutboundMessage>[];
      out.delivered += done.length;
      if (net !== "console") continue;
      for (const j of done) {
        const first = (j.data.text ?? "").split("\n")[0]!.trim();
        if (first && !world.lines.some((l) => l.includes(first)))
          violations.push(`console message marked delivered but never printed: ${first.slice(0, 80)}`);
      }
    }
  } finally {
    await queues.close();
  }
  return out;
}
