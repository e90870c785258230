import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { configuredChannels, setManagedSegment } from "../../topic-publish.js";
import type { StepKind } from "./types.js";

/** Sets (or clears) the run's segment of the channel topics. */
export const topicKind: StepKind<StepOf<"topic">> = {
  name: "topic",
  schema: builtinSchema("topic"),
  describe: (s) => (s.segment ? `topic segment "${s.segment}"` : "clear the topic segment"),
  idempotent: true,
  begin: "job",
  async perform(ctx, step) {
    const s = ctx.services;
    const channels = step.channels ?? configuredChannels(s);
    await setManagedSegment(s, `runbook:${ctx.run.runbook}`, step.clear ? undefined : step.segment, channels);
    return {
      ok: true,
      summary: step.clear ? "topic segment removed" : `topic segment "${step.segment}" set`,
    };
  },
};
