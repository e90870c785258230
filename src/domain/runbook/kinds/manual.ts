import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import type { StepKind } from "./types.js";

/** Something a person does: posted with its instructions, over when someone holding its role acks it. */
export const manualKind: StepKind<StepOf<"manual">> = {
  name: "manual",
  schema: builtinSchema("manual"),
  describe: (s) => `manual, acknowledged by ${s.role}`,
  tag: (s) => `manual: ${s.role} acks`,
  idempotent: true,
  begin: "ack",
  prompt: (s) => `manual, for ${s.role}:\n${s.instructions.trim()}`,
};
