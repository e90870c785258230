import { announcedSummary } from "../announce/announcer.js";
import { formatDuration } from "../core/duration.js";
import type { Outcome } from "../core/result.js";
import { formatUtc } from "../core/time.js";
import type { ExecContext } from "../exec/executor.js";
import { refuseInRehearsal } from "./rehearsal-guard.js";
import { runSteps } from "./remote-steps.js";
import type { Services } from "./services.js";
import { configuredChannels, setManagedSegment } from "./topic-publish.js";

/**
 * RC mode (release-critical mode, seed 001): while PQM is in RC mode only
 * release-critical branches land. The bot keeps the state (who, when, why),
 * the topic segment on the configured channels, and announces each change.
 * `!rc-mode on|off` (its job) and a runbook's `rc-mode` step both change it
 * through turnRcMode, so the state, the topic and the announcements agree.
 */
export interface RcModeState {
  on: boolean;
  since: number;
  by: string;
  reason?: string;
  /** Channels that got the topic segment ("irc:#launchpad-dev"). */
  channels: string[];
}

const key = (s: Pick<Services, "prefix">) => `${s.prefix}:rcmode`;

export async function getRcMode(services: Services): Promise<RcModeState | undefined> {
  const raw = await services.redis.get(key(services));
  return raw ? (JSON.parse(raw) as RcModeState) : undefined;
}

export function describeRcMode(s: RcModeState | undefined, now: number): string {
  if (!s) return "RC mode is off (it has not been turned on yet).";
  const ago = formatDuration(now - s.since);
  return s.on
    ? `RC mode is ON since ${formatUtc(s.since)} (${ago} ago), by ${s.by}${s.reason ? `: ${s.reason}` : ""}.`
    : `RC mode is off since ${formatUtc(s.since)} (${ago} ago), turned off by ${s.by}.`;
}

export async function setRcMode(services: Services, state: RcModeState): Promise<void> {
  refuseInRehearsal(services, "RC mode");
  await services.redis.set(key(services), JSON.stringify(state));
}

/** What a change of RC mode is: on or off, by whom, why, and where it was asked for. */
export interface RcModeChange {
  on: boolean;
  by: string;
  reason?: string;
  /** The channel it was asked in ("irc:#launchpad-dev"): announcements go there when no target is configured. */
  here: string;
  /** Unique per change: an announcement made twice (a retried job) is delivered once. */
  id: string;
  /** What the announcement's record says asked for it. */
  meta?: Record<string, unknown>;
}

/**
 * Turns RC mode on or off: the configured remote steps first (if one fails,
 * the mode and the topic stay as they were), then the state, the topic
 * segment and the announcement.
 */
export async function turnRcMode(
  services: Services,
  io: ExecContext,
  change: RcModeChange,
): Promise<Outcome> {
  const { on } = change;
  const steps = on ? services.config.rcMode.onSteps : services.config.rcMode.offSteps;
  const failed = await runSteps(services, io, steps, `RC mode NOT turned ${on ? "on" : "off"}`);
  if (failed) return failed;
  const now = services.clock.now();
  const segment = services.config.rcMode.segment;
  const prev = await getRcMode(services);
  const channels = on
    ? (services.config.rcMode.topics ?? configuredChannels(services))
    : (prev?.channels ?? configuredChannels(services));
  const reason = change.reason || undefined;
  await setRcMode(services, { on, since: now, by: change.by, reason, channels });
  await setManagedSegment(services, "rc-mode", on ? segment : undefined, channels);
  const said = await services.announcer.announce(
    on
      ? `PQM is in RC mode (${change.by}${reason ? `: ${reason}` : ""}). Only release-critical branches land until it is turned off.`
      : `PQM is out of RC mode (${change.by}); landings are open again.`,
    { id: change.id, here: [change.here], meta: { kind: "rc-mode", on, ...change.meta } },
  );
  const done = on ? `RC mode is on; topic segment "${segment}" set` : `RC mode is off; topic segment removed`;
  return { ok: true, summary: said.here ? `${done}; ${announcedSummary(said)}` : done };
}
