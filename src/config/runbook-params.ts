import { UserError } from "../core/errors.js";
import type { Parameter, Runbook, Step, UndoAction } from "./runbook.js";

/**
 * Parameters: declared in the runbook with a type, given as key=value words to
 * `!migrate start`, checked before the run starts, and substituted into `${name}`
 * places. An argv word stays exactly one word after substitution whatever the
 * value holds; the executor quotes it for the remote shell. `$${` is a literal `${`.
 */

const PLACE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The parameter names a text refers to. */
export function placeholders(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PLACE)) if (!m[1]) out.push(m[2]!);
  return out;
}

export function substitute(text: string, params: Readonly<Record<string, string>>): string {
  return text.replace(PLACE, (whole, esc: string, name: string) => {
    if (esc) return whole.slice(1);
    const v = params[name];
    if (v === undefined) throw new UserError(`parameter ${name} has no value`);
    return v;
  });
}

/** Every string of a step or undo, with where it is, for checks and substitution. */
export function stepStrings(s: Step | UndoAction): { key: string; text: string }[] {
  const out: { key: string; text: string }[] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === "string") out.push({ key, text: v });
    else if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, `${key}[${i}]`);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (key === "" && (k === "undo" || k === "kind" || k === "id")) continue;
        walk(x, key ? `${key}.${k}` : k);
      }
  };
  walk(s, "");
  return out;
}

/** A copy of a step (or undo) with every `${param}` replaced. */
export function bindStep<T extends Step | UndoAction>(s: T, params: Readonly<Record<string, string>>): T {
  const bind = (v: unknown, top: boolean): unknown => {
    if (typeof v === "string") return substitute(v, params);
    if (Array.isArray(v)) return v.map((x) => bind(x, false));
    if (v && typeof v === "object")
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          top && (k === "kind" || k === "id") ? x : bind(x, k === "undo"),
        ]),
      );
    return v;
  };
  return bind(s, true) as T;
}

/** Why a value does not fit its parameter, or undefined if it does. */
export function checkValue(name: string, p: Parameter, value: string): string | undefined {
  switch (p.type) {
    case "integer": {
      if (!/^-?\d+$/.test(value)) return `${name} must be a whole number, not "${value}"`;
      const n = Number(value);
      if (p.min !== undefined && n < p.min) return `${name} must be at least ${p.min}, not ${value}`;
      if (p.max !== undefined && n > p.max) return `${name} must be at most ${p.max}, not ${value}`;
      return undefined;
    }
    case "boolean":
      return /^(true|false)$/.test(value) ? undefined : `${name} must be true or false, not "${value}"`;
    case "enum":
      return p.values?.includes(value)
        ? undefined
        : `${name} must be one of ${p.values?.join(", ")}, not "${value}"`;
    default:
      // A command reads a word starting with "-" as an option (rsync -essh:/ …), whatever the quoting.
      if (value.startsWith("-") && !p.allowLeadingDash)
        return `${name} must not start with "-" (a command would read "${value}" as an option)`;
      if (p.pattern && !new RegExp(`^(?:${p.pattern})$`).test(value))
        return `${name} "${value}" does not match ${p.pattern}`;
      if (/[\n\r\0]/.test(value)) return `${name} may not contain a line break or NUL`;
      return undefined;
  }
}

/** The runbook's distinct: groups whose values are not all different, one problem each. */
export function sameValues(
  rb: Pick<Runbook, "distinct">,
  values: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  for (const group of rb.distinct) {
    const seen = new Map<string, string>();
    for (const name of group) {
      const v = values[name];
      if (v === undefined) continue;
      const other = seen.get(v);
      if (other) problems.push(`${other} and ${name} must differ (both are "${v}")`);
      else seen.set(v, name);
    }
  }
  return problems;
}

/** The values for a run: every given key declared and valid, every parameter without a default given. */
export function resolveParams(rb: Runbook, given: Readonly<Record<string, string>>): Record<string, string> {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const k of Object.keys(given)) {
    if (!rb.parameters[k]) problems.push(`${k} is not a parameter of ${rb.id}`);
  }
  for (const [name, p] of Object.entries(rb.parameters)) {
    const v = given[name] ?? (p.default !== undefined ? String(p.default) : undefined);
    if (v === undefined) {
      problems.push(`${name} is missing${p.description ? ` (${p.description})` : ""}`);
      continue;
    }
    const bad = checkValue(name, p, v);
    if (bad) problems.push(bad);
    else out[name] = v;
  }
  problems.push(...sameValues(rb, out));
  if (problems.length) {
    const usage = Object.keys(rb.parameters)
      .map((n) => `${n}=…`)
      .join(" ");
    throw new UserError(
      `Cannot start ${rb.id}: ${problems.join("; ")}. Usage: !migrate start ${rb.id}${usage ? ` ${usage}` : ""}`,
    );
  }
  return out;
}
