import { turnRcMode } from "../domain/rc-mode.js";
import { execContextFor } from "./exec-context.js";
import type { JobHandler } from "./runner.js";

/** Turns RC mode on or off (domain/rc-mode.ts turnRcMode: remote steps, state, topic segment, announcement). */
export const rcModeHandler: JobHandler<"rc-mode"> = {
  name: "rc-mode",
  // Setting the same state, topic and (de-duplicated) announcement again is harmless;
  // configured remote steps may run again only if all are marked idempotent.
  idempotent: (data) => data.stepsIdempotent !== false,
  run(job) {
    const { record, services } = job;
    return turnRcMode(services, execContextFor(job), {
      on: job.data.on === true,
      by: record.by,
      reason: job.data.reason || undefined,
      here: `${record.network}:${record.channel}`,
      id: `rc-mode-${record.id}`,
    });
  },
};
