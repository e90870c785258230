import { announcedSummary } from "../announce/announcer.js";
import { getRcMode, type RcModeState, setRcMode } from "../domain/rc-mode.js";
import { runSteps } from "../domain/remote-steps.js";
import { configuredChannels, setManagedSegment } from "../domain/topic-publish.js";
import { execContextFor } from "./exec-context.js";
import type { JobHandler } from "./runner.js";

/** Turns RC mode on or off: the configured remote steps first, then the state, the topic segment, the announcement. */
export const rcModeHandler: JobHandler<"rc-mode"> = {
  name: "rc-mode",
  // Setting the same state, topic and (de-duplicated) announcement again is harmless;
  // configured remote steps may run again only if all are marked idempotent.
  idempotent: (data) => data.stepsIdempotent !== false,
  async run(job) {
    const { record, services } = job;
    const on = job.data.on === true;
    // Remote steps first: if one fails, the mode (and the topic) stay as they were.
    const steps = on ? services.config.rcMode.onSteps : services.config.rcMode.offSteps;
    const failed = await runSteps(
      services,
      execContextFor(job),
      steps,
      `RC mode NOT turned ${on ? "on" : "off"}`,
    );
    if (failed) return failed;
    const now = services.clock.now();
    const segment = services.config.rcMode.segment;
    const prev = await getRcMode(services);
    const channels = on
      ? (services.config.rcMode.topics ?? configuredChannels(services))
      : (prev?.channels ?? configuredChannels(services));
    const reason = job.data.reason || undefined;
    const state: RcModeState = { on, since: now, by: record.by, reason, channels };
    await setRcMode(services, state);
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
