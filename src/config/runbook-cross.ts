import { DEFAULT_ROLES } from "./load.js";
import type { Runbook, StepSchema } from "./runbook.js";
import { checkValue, placeholders, stepStrings } from "./runbook-params.js";
import { whenProblem } from "./runbook-when.js";
import { type Config, LOCAL_HOST } from "./schema.js";

/**
 * The checks of a runbook that need the whole of it and the config (runbook-load.ts
 * runs them once each step has parsed): roles exist, ids are unique, each kind's own
 * check, parameters declared where they are used, no undo on an irreversible step,
 * hosts named rather than given as parameters.
 */

/** How a problem names a step: its place, and its title when it has one. */
export const stepLabel = (i: number, raw: unknown) => {
  const t = (raw as { title?: unknown })?.title;
  return `steps[${i}]${typeof t === "string" ? ` "${t}"` : ""}`;
};

/** Checks that need the whole runbook and the config. */
export function crossCheck(
  schemaOf: (kind: string) => StepSchema | undefined,
  file: string,
  rb: Runbook,
  config: Config,
  problems: string[],
): void {
  const roles = new Set<string>([...DEFAULT_ROLES, ...Object.keys(config.roles)]);
  const known = [...roles].join(", ");
  const declared = new Set(Object.keys(rb.parameters));
  for (const [name, p] of Object.entries(rb.parameters)) {
    const bad = p.default === undefined ? undefined : checkValue(name, p, String(p.default));
    if (bad) problems.push(`${file} parameters.${name}.default: ${bad}`);
  }
  rb.distinct.forEach((group, i) => {
    for (const name of group)
      if (!declared.has(name))
        problems.push(`${file} distinct[${i}]: "${name}" is not declared under parameters`);
  });
  const ids = new Set<string>();
  rb.steps.forEach((s, i) => {
    const where = `${file} ${stepLabel(i, s)}`;
    if (ids.has(s.id)) problems.push(`${where} id: "${s.id}" is used by an earlier step`);
    ids.add(s.id);
    for (const [action, asUndo] of [
      [s, false],
      [s.undo, true],
    ] as const) {
      if (!action) continue;
      const found = schemaOf(action.kind)?.check?.(action, { config, steps: rb.steps, index: i, asUndo });
      for (const p of found ?? [])
        problems.push(
          p.key ? `${where} ${asUndo ? "undo." : ""}${p.key}: ${p.problem}` : `${where}: ${p.problem}`,
        );
    }
    for (const [key, r] of [
      ["role", s.role],
      ["undo.role", s.undo?.role],
    ] as const) {
      if (r && !roles.has(r)) problems.push(`${where} ${key}: unknown role "${r}" (known: ${known})`);
    }
    const whenBad = s.when === undefined ? undefined : whenProblem(s.when, rb.parameters);
    if (whenBad) problems.push(`${where} when: ${whenBad}`);
    if (s.irreversible && s.undo)
      problems.push(`${where} undo: an irreversible step cannot have an undo; remove one of them`);
    for (const { key, text } of [
      ...stepStrings(s),
      ...(s.undo ? stepStrings(s.undo).map((x) => ({ key: `undo.${x.key}`, text: x.text })) : []),
    ]) {
      for (const name of placeholders(text)) {
        if (!declared.has(name))
          problems.push(`${where} ${key}: uses \${${name}}, which is not declared under parameters`);
      }
    }
    for (const [key, host] of [
      ["host", "host" in s ? s.host : undefined],
      ["undo.host", s.undo && "host" in s.undo ? s.undo.host : undefined],
    ] as const) {
      if (host && placeholders(host).length)
        problems.push(`${where} ${key}: must name a hosts: entry, not a parameter`);
    }
  });
  rb.missingHosts = rb.hosts.filter((h) => h !== LOCAL_HOST && !config.hosts[h]);
}
