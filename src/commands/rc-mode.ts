import { z } from "zod";
import { announcedSummary } from "../announce/announcer.js";
import { configuredChannels, setManagedSegment } from "../announce/topic.js";
import { UserError } from "../bot/errors.js";
import { formatDuration } from "../config/duration.js";
import { allIdempotent, runSteps } from "../jobs/remote-steps.js";
import type { JobHandler } from "../jobs/runner.js";
import type { Services } from "../services.js";
import { noArgs, text } from "./args.js";
import { type Command, command } from "./types.js";

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

const key = (s: Services) => `${s.prefix}:rcmode`;

export async function getRcMode(services: Services): Promise<RcModeState | undefined> {
  const raw = await services.redis.get(key(services));
  return raw ? (JSON.parse(raw) as RcModeState) : undefined;
}

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;

export function describeRcMode(s: RcModeState | undefined, now: number): string {
  if (!s) return "RC mode is off (it has not been turned on yet).";
  const ago = formatDuration(now - s.since);
  return s.on
    ? `RC mode is ON since ${utc(s.since)} (${ago} ago), by ${s.by}${s.reason ? `: ${s.reason}` : ""}.`
    : `RC mode is off since ${utc(s.since)} (${ago} ago), turned off by ${s.by}.`;
}

export const rcModeHandler: JobHandler = {
  name: "rc-mode",
  // Setting the same state, topic and (de-duplicated) announcement again is harmless;
  // configured remote steps may run again only if all are marked idempotent.
  idempotent: (rec) => rec.data.stepsIdempotent !== false,
  async run(job) {
    const { record, services } = job;
    const on = record.data.on === true;
    // Remote steps first: if one fails, the mode (and the topic) stay as they were.
    const steps = on ? services.config.rcMode.onSteps : services.config.rcMode.offSteps;
    const failed = await runSteps(job, steps, `RC mode NOT turned ${on ? "on" : "off"}`);
    if (failed) return failed;
    const now = services.clock.now();
    const segment = services.config.rcMode.segment;
    const prev = await getRcMode(services);
    const channels = on
      ? (services.config.rcMode.topics ?? configuredChannels(services))
      : (prev?.channels ?? configuredChannels(services));
    const reason =
      typeof record.data.reason === "string" && record.data.reason ? record.data.reason : undefined;
    const state: RcModeState = { on, since: now, by: record.by, reason, channels };
    await services.redis.set(key(services), JSON.stringify(state));
    await setManagedSegment(services, "rc-mode", on ? segment : undefined, channels);
    const said = await services.announcer.announce(
      on
        ? `PQM is in RC mode (${record.by}${reason ? `: ${reason}` : ""}). Only release-critical branches land until it is turned off.`
        : `PQM is out of RC mode (${record.by}); landings are open again.`,
      {
        id: `rc-mode-${record.id}`,
        here: [`${record.network}:${record.channel}`],
        meta: { kind: "rc-mode", on },
      },
    );
    const done = on
      ? `RC mode is on; topic segment "${segment}" set`
      : `RC mode is off; topic segment removed`;
    return { ok: true, summary: said.here ? `${done}; ${announcedSummary(said)}` : done };
  },
};

function rcCommand(on: boolean): Command {
  return command<string | string[]>({
    family: "rc-mode",
    name: on ? "on" : "off",
    usage: on ? "!rc-mode on [reason]" : "!rc-mode off",
    summary: on ? `put PQM in RC mode: topic segment, announcement` : "take PQM out of RC mode",
    example: on ? "!rc-mode on db-stable 10381 merged for the downtime" : "!rc-mode off",
    args: (on ? text : noArgs) as z.ZodType<string | string[], string[]>,
    roles: ["lead"],
    async run(ctx) {
      const s = await getRcMode(ctx.services);
      if (on && s?.on) throw new UserError(describeRcMode(s, ctx.services.clock.now()));
      if (!on && !s?.on) throw new UserError("RC mode is already off.");
      await ctx.enqueue({
        name: "rc-mode",
        summary: `rc-mode ${on ? "on" : "off"}`,
        data: {
          on,
          reason: on ? String(ctx.args) : undefined,
          stepsIdempotent: allIdempotent(ctx.services.config.rcMode[on ? "onSteps" : "offSteps"]),
        },
      });
    },
  });
}

const status = command({
  family: "rc-mode",
  name: "",
  usage: "!rc-mode [status]",
  summary: "whether PQM is in RC mode, since when, by whom",
  args: z
    .array(z.literal("status", { error: 'expected "on", "off" or "status"' }))
    .max(1, 'expected "on", "off" or "status"'),
  roles: [],
  async run(ctx) {
    await ctx.reply(describeRcMode(await getRcMode(ctx.services), ctx.services.clock.now()));
  },
});

export const rcModeCommands: Command[] = [rcCommand(true), rcCommand(false), status];
