import { type Announced, type AnnounceOptions, Announcer } from "../../announce/announcer.js";
import type { OutboundMessage } from "../../core/messages.js";
import { replyTo } from "../../core/outbound.js";
import { parseTarget } from "../../core/targets.js";
import type { ExecContext, Executor } from "../../exec/executor.js";
import { Outbox } from "../../infra/outbox.js";
import { RehearsalRefused } from "../rehearsal-guard.js";
import type { RehearsalMark, Services } from "../services.js";
import { TopicStore } from "../topic-store.js";

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

/** Announcements shown in the run's channel, marked, instead of being made. */
class RehearsalAnnouncer extends Announcer {
  constructor(
    private readonly world: Services,
    private readonly mark: RehearsalMark,
  ) {
    super(world.outbox, world.queues, world.config.announce, world.clock);
  }

  override async announce(text: string, opts: AnnounceOptions = {}): Promise<Announced> {
    const chosen = opts.targets ?? this.world.config.announce;
    const here = chosen.length === 0;
    const targets = here ? (opts.here ?? []) : chosen;
    const where = targets.length ? targets.map(showTarget).join(", ") : "nowhere";
    await this.world.outbox.send(
      replyTo(this.mark, `[${REHEARSAL}] announcement, not made (it would go to ${where}):\n${text}`),
    );
    return { targets, here };
  }
}

/** An outbox that delivers only to the run's channel, and never a topic. */
class RunChannelOutbox extends Outbox {
  constructor(
    private readonly real: Outbox,
    private readonly mark: RehearsalMark,
    world: Services,
  ) {
    super(world.queues, new Set(real.networkNames), world.log);
  }

  override send(msg: OutboundMessage, jobId?: string, dedupeMs?: number): Promise<void> {
    if (msg.kind === "topic") return Promise.reject(new RehearsalRefused("channel topics"));
    if (msg.network !== this.mark.network || msg.target !== this.mark.channel)
      return Promise.reject(
        new RehearsalRefused(`what is said outside ${this.mark.network}:${this.mark.channel}`),
      );
    return this.real.send(msg, jobId, dedupeMs);
  }

  override drained(network: string, signal?: AbortSignal): Promise<void> {
    return this.real.drained(network, signal);
  }
}

/** A topic store that reads as usual and refuses every change. */
class ReadOnlyTopics extends TopicStore {
  override change(): Promise<never> {
    return Promise.reject(new RehearsalRefused("channel topics"));
  }
}

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
  const outbox = new RunChannelOutbox(s.outbox, mark, s);
  const world: Services = {
    ...s,
    rehearsal: mark,
    outbox,
    exec: rehearsedExec(s.exec, record),
    topics: new ReadOnlyTopics(s.redis, s.prefix),
  };
  world.announcer = new RehearsalAnnouncer(world, mark);
  return world;
}
