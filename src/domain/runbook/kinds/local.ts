import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { commandOutcome } from "../actions.js";
import type { StepKind } from "./types.js";

/** A command on the bot's own host. */
export const localKind: StepKind<StepOf<"local">> = {
  name: "local",
  schema: builtinSchema("local"),
  describe: (s) => `local: ${s.argv.join(" ")}`,
  idempotent: false,
  begin: "job",
  // Its command reaches the dispatcher marked as rehearsed, which shows it and runs nothing.
  rehearse: "perform",
  perform: (ctx, s) => commandOutcome(ctx.services, ctx.io, { argv: s.argv }, s.timeout),
};
