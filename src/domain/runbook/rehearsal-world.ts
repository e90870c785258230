import type { Announced, AnnounceOptions, Announcer } from "../../announce/announcer.js";
import type { OutboundMessage } from "../../core/messages.js";
import { replyTo } from "../../core/outbound.js";
import { parseTarget } from "../../core/targets.js";
import type { ExecContext, Executor } from "../../exec/executor.js";
import type { Outbox } from "../../infra/outbox.js";
import { RehearsalRefused } from "../rehearsal-guard.js";
import type { RehearsalMark, Services } from "../services.js";
import type { TopicStore } from "../topic-store.js";

/**
 * The world as a rehearsal's steps see it: the bot's services with everything
 * that reaches outside the run's channel put out of reach. Commands go to the
 * executor with the rehearsal mark (the dispatcher shows them, runs nothing);
 * announcements are shown in the run's channel, never delivered (no webhook,
 * no other channel); the outbox takes messages for the run's channel only and
 * no topic; the topic store refuses every change; and `rehearsal` is set, so
 * the entry points of RC mode and downtimes refuse (rehearsal-guard.ts).
 */

export const REHEARSAL = "REHEARSAL";

/** A target as a rehearsal shows it: a webhook by its origin only (its path may hold a token). */
export function showTarget(spec: string): string {
  const t = parseTarget(spec);
  if (t.network !== "webhook") return spec;
  try {
    return `webhook:${new URL(t.target).origin}/…`;
  } catch {
    return "webhook:(an invalid URL)";
  }
}

/**
 * The wrappers below are the real objects with one method replaced (their
 * prototype is the real one), so they keep every other method and field and
 * need none of their constructors' arguments.
 */
function withMethod<T extends object, K extends keyof T>(real: T, name: K, fn: T[K]): T {
  const o = Object.create(real) as T;
  o[name] = fn;
  return o;
}

/** Announcements shown in the run's channel, marked, instead of being made (no webhook, no other channel). */
function showingAnnouncer(s: Services, outbox: Outbox, mark: RehearsalMark): Announcer {
  return withMethod(
    s.announcer,
    "announce",
    async (text: string, opts: AnnounceOptions = {}): Promise<Announced> => {
      const chosen = opts.targets ?? s.config.announce;
      const here = chosen.length === 0;
      const targets = here ? (opts.here ?? []) : chosen;
      const where = targets.length ? targets.map(showTarget).join(", ") : "nowhere";
      await outbox.send(
        replyTo(mark, `[${REHEARSAL}] announcement, not made (it would go to ${where}):\n${text}`),
      );
      return { targets, here };
    },
  );
}

/** An outbox that delivers only to the run's channel, and never a topic. */
function runChannelOutbox(real: Outbox, mark: RehearsalMark): Outbox {
  return withMethod(
    real,
    "send",
    (msg: OutboundMessage, jobId?: string, dedupeMs?: number): Promise<void> => {
      if (msg.kind === "topic") return Promise.reject(new RehearsalRefused("channel topics"));
      if (msg.network !== mark.network || msg.target !== mark.channel)
        return Promise.reject(new RehearsalRefused(`what is said outside ${mark.network}:${mark.channel}`));
      return real.send(msg, jobId, dedupeMs);
    },
  );
}

/** A topic store that reads as usual and refuses every change (setManaged, undo and observe all change through it). */
const readOnlyTopics = (real: TopicStore): TopicStore =>
  withMethod(real, "change", () => Promise.reject(new RehearsalRefused("channel topics")));

/** An executor that hands every command to the dispatcher marked as rehearsed, whatever it is given. */
function rehearsedExec(real: Executor, record: (line: string) => Promise<void>): Executor {
  return {
    execute: (req, io: ExecContext) => real.execute(req, { ...io, rehearsal: io.rehearsal ?? { record } }),
  };
}

/** The services of a rehearsal's step: record(line) keeps each command it would run (the run's timeline). */
export function rehearsalServices(
  s: Services,
  mark: RehearsalMark,
  record: (line: string) => Promise<void>,
): Services {
  const outbox = runChannelOutbox(s.outbox, mark);
  return {
    ...s,
    rehearsal: mark,
    outbox,
    announcer: showingAnnouncer(s, outbox, mark),
    exec: rehearsedExec(s.exec, record),
    topics: readOnlyTopics(s.topics),
  };
}
