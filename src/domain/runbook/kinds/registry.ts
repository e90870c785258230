import type { StepSchema } from "../../../config/runbook.js";
import type { StepKind, StepKinds } from "./types.js";

/** The step kinds a bot knows: the built-in ones and any it was given. Built once; never changed. */
export class StepKindRegistry implements StepKinds {
  readonly list: readonly StepKind[];
  readonly extraSchemas: readonly StepSchema[];
  private readonly byName = new Map<string, StepKind>();

  constructor(builtin: readonly StepKind[], extra: readonly StepKind[] = []) {
    this.list = [...builtin, ...extra];
    for (const k of this.list) {
      if (this.byName.has(k.name)) throw new Error(`step kind "${k.name}" is defined twice`);
      if (k.schema.kind !== k.name)
        throw new Error(`step kind "${k.name}" has the schema of "${k.schema.kind}"`);
      if (k.begin === "job" && !k.perform)
        throw new Error(`step kind "${k.name}" runs a job but has no perform()`);
      if (k.begin === "ack" && !k.prompt)
        throw new Error(`step kind "${k.name}" waits for an ack but has no prompt()`);
      this.byName.set(k.name, k);
    }
    this.extraSchemas = extra.map((k) => k.schema);
  }

  of(step: { kind: string }): StepKind {
    const k = this.byName.get(step.kind);
    if (!k) throw new Error(`no step kind "${step.kind}" is known to this bot`);
    return k;
  }
}
