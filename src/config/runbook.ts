import { z } from "zod";
import { durationField } from "../core/duration.js";
import { targetProblem } from "./checks.js";
import { checkProblems } from "./runbook-checks.js";
import {
  type BuiltinKind,
  common,
  paramName,
  STEP_KINDS,
  shapes,
  slug,
  UNDO_KINDS,
} from "./runbook-fields.js";
import { parameterSchema } from "./runbook-parameter.js";
import type { Config } from "./schema.js";

export type { BuiltinKind };
export { parameterSchema, STEP_KINDS, UNDO_KINDS };

/**
 * A runbook: a planned change written down once as data (YAML in the `runbooks:`
 * folder), then driven from chat one step at a time by `!migrate`. This file is
 * the format; src/config/runbook-load.ts reads a folder of them and checks what a
 * schema alone cannot (roles, hosts, parameters, loops). docs/runbooks.md is the
 * reference for authors.
 */

/** The zod object of a step of kind `kind` with these fields (and the fields every step has). */
export const stepObject = (kind: string, fields: z.ZodRawShape) =>
  z.strictObject({
    kind: z.literal(kind),
    ...common,
    ...fields,
    undo: z.record(z.string(), z.unknown()).optional(),
  });

/** The zod object of an `undo:` action of kind `kind`: its fields, an optional title, role and timeout. */
export const undoObject = (kind: string, fields: z.ZodRawShape) =>
  z.strictObject({
    kind: z.literal(kind),
    title: z.string().min(1).optional(),
    role: z.string().min(1).optional(),
    timeout: durationField.optional(),
    ...fields,
  });

/** A problem a kind's check found: `key` names the field ("role"); none means the step as a whole. */
export interface StepProblem {
  key?: string;
  problem: string;
}

/** What a kind's check is given: the config, the runbook's steps and where this one is. */
export interface StepCheckContext {
  config: Config;
  steps: readonly Step[];
  index: number;
  /** The step checked is the `undo:` action of steps[index]. */
  asUndo: boolean;
}

/**
 * How a step kind is written and checked: its fields (beside those every step
 * has), whether it may be an `undo:` action, and the checks its fields alone
 * cannot make. Each step kind module (src/domain/runbook/kinds/) names its
 * schema; the built-in ones are below, a kind from elsewhere brings its own.
 */
export interface StepSchema {
  kind: string;
  fields: z.ZodRawShape;
  undoable?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: each kind checks its own step type
  check?(step: any, at: StepCheckContext): StepProblem[];
}

/** The nearest loop or stop-loop step of loop `name` from steps[from] towards steps[to] (exclusive). */
function nearestLoop(steps: readonly Step[], from: number, to: number, name: string): Step | undefined {
  const dir = to < from ? -1 : 1;
  for (let j = from; j !== to; j += dir) {
    const s = steps[j]!;
    if ((s.kind === "loop" || s.kind === "stop-loop") && s.loop === name) return s;
  }
  return undefined;
}

const checks: { [K in BuiltinKind]?: (step: StepOf<K>, at: StepCheckContext) => StepProblem[] } = {
  manual: (s, at) =>
    s.role
      ? []
      : [
          {
            key: "role",
            problem: `missing; a manual ${at.asUndo ? "undo" : "step"} must name the role that acknowledges it`,
          },
        ],
  check: (s, at) => checkProblems(s, at),
  topic: (s, at) =>
    !at.asUndo && !!s.segment === !!s.clear
      ? [{ problem: "a topic step needs either segment: or clear: true" }]
      : [],
  announce: (s, at) =>
    (s.targets ?? []).flatMap((t, j) => {
      const p = targetProblem(at.config, t);
      return p ? [{ key: `targets[${j}]`, problem: p }] : [];
    }),
  loop: (s, { steps, index }) => {
    const out: StepProblem[] = [];
    if (nearestLoop(steps, index - 1, -1, s.loop)?.kind === "loop")
      out.push({ key: "loop", problem: `"${s.loop}" is already started by an earlier step` });
    if (!nearestLoop(steps, index + 1, steps.length, s.loop))
      out.push({
        key: "loop",
        problem: `the loop "${s.loop}" is never stopped; add a later stop-loop step with loop: ${s.loop}`,
      });
    return out;
  },
  "stop-loop": (s, { steps, index }) =>
    nearestLoop(steps, index - 1, -1, s.loop)?.kind === "loop"
      ? []
      : [{ key: "loop", problem: `no earlier loop step starts a loop named "${s.loop}"` }],
};

/** The built-in step kinds' schemas, in the order errors list them. */
export const BUILTIN_SCHEMAS: readonly StepSchema[] = STEP_KINDS.map((k) => ({
  kind: k,
  fields: shapes[k],
  undoable: (UNDO_KINDS as readonly string[]).includes(k),
  check: checks[k] as StepSchema["check"],
}));

/** The built-in schema of one kind (for its module). */
export const builtinSchema = (kind: BuiltinKind): StepSchema => BUILTIN_SCHEMAS.find((x) => x.kind === kind)!;

type Shape<K extends BuiltinKind> = z.output<z.ZodObject<(typeof shapes)[K]>>;
type CommonOut = z.output<z.ZodObject<typeof common>>;

export type UndoAction = {
  [K in (typeof UNDO_KINDS)[number]]: { kind: K; title?: string; role?: string; timeout?: number } & Shape<K>;
}[(typeof UNDO_KINDS)[number]];

export type Step = {
  [K in BuiltinKind]: { kind: K } & CommonOut & Shape<K> & { undo?: UndoAction; id: string };
}[BuiltinKind];

export type StepOf<K extends BuiltinKind> = Extract<Step, { kind: K }>;

export type Parameter = z.output<typeof parameterSchema>;

/** Seed 001: a rollout more than 30 minutes off track is aborted if it still can be. */
export const OFF_TRACK_DEFAULT = 30 * 60_000;

/** The run parameter that binds a run's downtime markers to a scheduled downtime (`downtime=3`). */
export const LINK_PARAM = "downtime";

export const runbookHeader = z
  .strictObject({
    id: slug,
    title: z.string().min(1),
    description: z.string().optional(),
    /** Where the procedure comes from (for people reading the runbook). */
    source: z.string().optional(),
    parameters: z.record(paramName, parameterSchema).default({}),
    /** Groups of parameters whose values must all differ (`[[old_app, new_app]]`), checked at start. */
    distinct: z
      .array(z.array(paramName).min(2, "a distinct: group names at least two parameters"))
      .default([]),
    /** Inside the downtime, falling this far behind the steps' estimates raises the alarm (seed 001: 30 minutes). */
    offTrack: durationField.default(OFF_TRACK_DEFAULT),
    /** What to do when the run is off track, said with the alarm. */
    abortRule: z.string().min(1).optional(),
    steps: z.array(z.unknown()).min(1, "a runbook needs at least one step"),
  })
  .superRefine((rb, ctx) => {
    if (rb.parameters[LINK_PARAM])
      ctx.addIssue({
        code: "custom",
        path: ["parameters", LINK_PARAM],
        message: `"${LINK_PARAM}" is reserved: ${LINK_PARAM}=N at !migrate start binds the run's downtime markers to downtime #N`,
      });
  });

export interface Runbook {
  id: string;
  title: string;
  description?: string;
  source?: string;
  parameters: Record<string, Parameter>;
  distinct: string[][];
  /** How far behind the estimates a run inside its downtime may fall before the alarm (ms). */
  offTrack?: number;
  abortRule?: string;
  steps: Step[];
  /** The file it came from. */
  file: string;
  /** `hosts:` entries its steps use. */
  hosts: string[];
  /** Hosts the config lacks: the runbook cannot be started until they are added. */
  missingHosts: string[];
}
