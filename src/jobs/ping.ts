import type { JobHandler } from "./runner.js";

/** `!ping`: a job that does nothing, to show the workers answer. */
export const pingHandler: JobHandler<"ping"> = {
  name: "ping",
  idempotent: true,
  async run() {
    return { ok: true, summary: "pong" };
  },
};
