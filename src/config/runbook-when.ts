import type { z } from "zod";
import type { parameterSchema } from "./runbook.js";

/**
 * A step's `when:` — a condition on the run's parameters, nothing else:
 *
 *   name == value    name != value    name in [a, b]    name not in [a, b]
 *
 * A value is a bare word (letters, digits, `. _ - : / @ +`) or "double-quoted".
 * It is parsed, never evaluated as code; checked when the runbook loads.
 */

export interface When {
  param: string;
  op: "==" | "!=" | "in" | "not in";
  values: string[];
}

const NAME = "[A-Za-z_][A-Za-z0-9_]*";
const VALUE = `(?:"[^"\\n]*"|[A-Za-z0-9._:/@+-]+)`;
const COMPARE = new RegExp(`^\\s*(${NAME})\\s*(==|!=)\\s*(${VALUE})\\s*$`);
const MEMBER = new RegExp(
  `^\\s*(${NAME})\\s+(in|not\\s+in)\\s*\\[\\s*(${VALUE}(?:\\s*,\\s*${VALUE})*)\\s*\\]\\s*$`,
);

const unquote = (v: string) => (v.startsWith('"') ? v.slice(1, -1) : v);

/** Parses a condition; throws an Error saying what is wrong with it. */
export function parseWhen(text: string): When {
  const c = COMPARE.exec(text);
  if (c) return { param: c[1]!, op: c[2] as "==" | "!=", values: [unquote(c[3]!)] };
  const m = MEMBER.exec(text);
  if (m) {
    const values = [...m[3]!.matchAll(new RegExp(VALUE, "g"))].map((x) => unquote(x[0]));
    return { param: m[1]!, op: m[2] === "in" ? "in" : "not in", values };
  }
  throw new Error(
    `cannot read "${text}"; expected <parameter> == <value>, <parameter> != <value>, <parameter> in [a, b] or <parameter> not in [a, b]`,
  );
}

/** Whether a parsed condition holds for these parameter values. */
export function holdsWhen(w: When, params: Readonly<Record<string, string>>): boolean {
  const has = w.values.includes(params[w.param] ?? "");
  return w.op === "==" || w.op === "in" ? has : !has;
}

/** The condition in its usual spelling, for the plan and the log. */
export const whenText = (w: When): string =>
  w.op === "==" || w.op === "!="
    ? `${w.param} ${w.op} ${w.values[0]}`
    : `${w.param} ${w.op} [${w.values.join(", ")}]`;

type Parameters = Record<string, z.infer<typeof parameterSchema>>;

/** What is wrong with a step's `when:` in this runbook, or undefined. */
export function whenProblem(text: string, parameters: Parameters): string | undefined {
  let w: When;
  try {
    w = parseWhen(text);
  } catch (e) {
    return (e as Error).message;
  }
  const p = parameters[w.param];
  if (!p) return `uses ${w.param}, which is not declared under parameters`;
  if (p.type === "enum") {
    const odd = w.values.filter((v) => !p.values?.includes(v));
    if (odd.length)
      return `${odd.map((v) => `"${v}"`).join(", ")} is not a value of ${w.param} (one of ${p.values?.join(", ")})`;
  }
  return undefined;
}
