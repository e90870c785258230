import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { configuredChannels, setManagedSegment } from "../../topic-publish.js";
import { rehearsalNote } from "../rehearsal.js";
import type { StepKind } from "./types.js";

/** Sets (or clears) the run's segment of the channel topics. */
export const topicKind: StepKind<StepOf<"topic">> = {
  name: "topic",
  schema: builtinSchema("topic"),
  describe: (s) => (s.segment ? `topic segment "${s.segment}"` : "clear the topic segment"),
  idempotent: true,
  begin: "job",
  // A rehearsal changes no topic: it says what it would set, in the run's channel only.
  async rehearse(ctx, step) {
    const where = (step.channels ?? configuredChannels(ctx.services)).join(", ") || "no channel";
    const what = step.clear
      ? `would remove the run's topic segment in ${where}`
      : `would set the topic segment "${step.segment}" in ${where}`;
    await rehearsalNote(ctx, what);
    return { ok: true, summary: `${what} (not changed)` };
  },
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
