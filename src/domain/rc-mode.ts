import { formatDuration } from "../core/duration.js";
import { formatUtc } from "../core/time.js";
import { refuseInRehearsal } from "./rehearsal-guard.js";
import type { Services } from "./services.js";

/**
 * RC mode (release-critical mode, seed 001): while PQM is in RC mode only
 * release-critical branches land. The bot keeps the state (who, when, why),
 * the topic segment on the configured channels, and announces each change.
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
