import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { commandOutcome } from "../actions.js";
import type { StepKind } from "./types.js";

/** A command over SSH on a `hosts:` entry. */
export const sshKind: StepKind<StepOf<"ssh">> = {
  name: "ssh",
  schema: builtinSchema("ssh"),
  describe: (s) => `ssh ${s.user ? `${s.user}@` : ""}${s.host}: ${s.argv.join(" ")}`,
  idempotent: false,
  begin: "job",
  // Its command reaches the dispatcher marked as rehearsed, which shows it and runs nothing.
  rehearse: "perform",
  perform: (ctx, s) => commandOutcome(ctx.services, ctx.io, s, s.timeout),
};
