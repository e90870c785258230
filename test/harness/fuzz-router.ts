import fc from "fast-check";
import type { HandleResult } from "../../src/bot/router.js";
import type { OutboundMessage } from "../../src/core/messages.js";
import { WORK_QUEUE } from "../../src/infra/queues.js";
import type { startTestBot } from "./bot.js";
import { SHIPPED_RUNBOOKS, shippedHosts } from "./config.js";
import { FUZZ_USERS, hostileLine, sender } from "./fuzz-lines.js";

/**
 * The router's hostile-input property, shared by test/integration/fuzz-router.test.ts
 * and bench/fuzz.ts: one in-process bot (a MemoryAdapter, real Redis, front end
 * only so no worker adds jobs behind the property's back) takes generated lines
 * from users with and without roles. For every line: the router answers (no
 * throw, a known outcome, no unhandled rejection); every message it causes is
 * within the network's limits; a line it does not run (refused, denied,
 * unknown, ignored) starts no job: no job id taken, nothing added to the work queue.
 */

type Bot = Awaited<ReturnType<typeof startTestBot>>;

/**
 * The longest reply one chat line may cause, in characters: Slack's guidance for
 * chat.postMessage text (longer is truncated), the tightest of the networks that
 * do not split a message themselves (IRC's adapter splits to 512-byte lines).
 */
export const REPLY_MAX_CHARS = 4000;

/**
 * The fuzz bot's config: the shipped runbooks (so `!migrate start <runbook> …` reaches
 * their parameter checks) on hosts nothing connects to (a front end runs no job).
 */
export const FUZZ_CONFIG = {
  runbooks: SHIPPED_RUNBOOKS,
  hosts: shippedHosts({ host: "127.0.0.1", port: 9, user: "nobody" }),
};

/** Roles for the fuzz bot: one user with all, one with some, one with none. */
export const FUZZ_ROLES = {
  admin: [FUZZ_USERS.admin],
  lead: [FUZZ_USERS.lead],
  engineer: [FUZZ_USERS.lead],
  losa: [FUZZ_USERS.lead],
};

const OUTCOMES = new Set(["ignored", "duplicate", "ok", "refused", "denied", "error", "unknown"]);

/** What is wrong with one message the bot sent, or undefined. */
export function overLimit(m: OutboundMessage, channel: string, topicMax: number): string | undefined {
  if (m.target !== channel) return `sent to ${JSON.stringify(m.target)}, not the channel ${channel}`;
  if (m.kind === "topic") {
    const b = Buffer.byteLength(m.text);
    return b > topicMax ? `a topic of ${b} bytes (limit ${topicMax})` : undefined;
  }
  if (!m.text.trim()) return "an empty reply";
  const n = [...m.text].length;
  return n > REPLY_MAX_CHARS ? `a reply of ${n} characters (limit ${REPLY_MAX_CHARS})` : undefined;
}

export interface FuzzStats {
  runs: number;
  outcomes: Record<string, number>;
  ms: number;
  failure?: string;
}

/** fast-check's report (seed, path, shrunk case) and the property's own error, cut to a readable size. */
export function failureText(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = err.cause instanceof Error ? err.cause.message : err.cause ? String(err.cause) : "";
  const clip = (s: string) => (s.length > 1500 ? `${s.slice(0, 1500)}… (${s.length} characters)` : s);
  return `${clip(err.message)}\n${clip(cause)}`;
}

/**
 * Runs the property `runs` times on `t`'s bot. A failure comes back as text: fast-check's
 * seed (CHANGEBOT_FUZZ_SEED replays it), the shrunk line and what was wrong.
 */
export async function routerProperty(
  t: Bot,
  o: { runs: number; seed?: number; unhandled: unknown[] },
): Promise<FuzzStats> {
  const { adapter, services: s } = t;
  const channel = adapter.channels()[0]!;
  const work = s.queues.get(WORK_QUEUE);
  const seqKey = `${s.prefix}:seq:job`;
  const jobState = async () => {
    const [seq, counts] = await Promise.all([
      s.redis.get(seqKey),
      work.getJobCounts(
        "wait",
        "active",
        "delayed",
        "prioritized",
        "waiting-children",
        "completed",
        "failed",
      ),
    ]);
    return { seq: Number(seq ?? 0), queued: Object.values(counts).reduce((a, b) => a + b, 0) };
  };
  const outcomes: Record<string, number> = {};
  const t0 = performance.now();
  const failure = await fc
    .assert(
      fc.asyncProperty(hostileLine, sender, fc.boolean(), async (line, user, addressed) => {
        const from = adapter.sent.length;
        const before = await jobState();
        const r = (await adapter.say(line, user, { addressed })) as HandleResult;
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        if (!OUTCOMES.has(r.outcome)) throw new Error(`unexpected outcome ${r.outcome}`);
        if (r.outcome === "error") throw new Error("the router failed on its side (a crash in a command)");
        if (o.unhandled.length) throw new Error(`unhandled rejection: ${String(o.unhandled[0])}`);
        if (r.outcome !== "ok") {
          if (r.jobs.length) throw new Error(`${r.outcome} line started jobs ${r.jobs.join(", ")}`);
          const after = await jobState();
          if (after.seq !== before.seq || after.queued !== before.queued)
            throw new Error(`${r.outcome} line queued work: ${JSON.stringify({ before, after })}`);
        }
        await s.outbox.drained(adapter.network);
        for (const m of adapter.sent.slice(from)) {
          const bad = overLimit(m, channel, adapter.topicMaxLength);
          if (bad) throw new Error(`${bad}: ${JSON.stringify(m.text.slice(0, 300))}`);
          if (
            (r.outcome === "refused" || r.outcome === "denied") &&
            m.kind !== "topic" &&
            m.visibleTo !== user
          )
            throw new Error(`a refusal not addressed to its sender: ${JSON.stringify(m)}`);
        }
        // Forget what was checked: one bot takes every case.
        adapter.sent.splice(0);
      }),
      { numRuns: o.runs, ...(o.seed !== undefined ? { seed: o.seed } : {}) },
    )
    .then(
      () => undefined,
      (e: unknown) => failureText(e),
    );
  return { runs: o.runs, outcomes, ms: performance.now() - t0, ...(failure ? { failure } : {}) };
}
