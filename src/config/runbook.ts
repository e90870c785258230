import { z } from "zod";
import { durationField } from "../core/duration.js";
import { targetProblem } from "./checks.js";
import { checkProblems } from "./runbook-checks.js";
import { parameterSchema } from "./runbook-parameter.js";
import type { Config } from "./schema.js";

export { parameterSchema };

/**
 * A runbook: a planned change written down once as data (YAML in the `runbooks:`
 * folder), then driven from chat one step at a time by `!migrate`. This file is
 * the format; src/config/runbook-load.ts reads a folder of them and checks what a
 * schema alone cannot (roles, hosts, parameters, loops). docs/runbooks.md is the
 * reference for authors.
 */

/** The built-in step kinds; each has a module in src/domain/runbook/kinds/. */
export const STEP_KINDS = [
  "ssh",
  "local",
  "manual",
  "wait",
  "loop",
  "stop-loop",
  "check",
  "topic",
  "announce",
  "downtime-start",
  "downtime-end",
  "lpndt",
  "rc-mode",
] as const;
export type BuiltinKind = (typeof STEP_KINDS)[number];

/** Built-in kinds an `undo:` may take. */
export const UNDO_KINDS = ["ssh", "local", "manual", "topic", "announce", "lpndt"] as const;

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "expected lower-case letters, digits, . _ -");
const paramName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a parameter name");
const argv = z.array(z.string().min(1, "an empty argument")).min(1, "expected at least the command name");

/** Fields every step may have. */
const common = {
  /** Short name for logs; defaults to step-N. */
  id: slug.optional(),
  title: z.string().min(1),
  /** Who may run `next` for this step (a manual step: who must ack it). */
  role: z.string().min(1).optional(),
  irreversible: z.boolean().default(false),
  /** Safe to run again if the bot died while it ran; otherwise it is reported interrupted. */
  idempotent: z.boolean().default(false),
  timeout: durationField.optional(),
  notes: z.string().optional(),
  /** `!migrate run` stops before this step, even when it is automated. */
  pause: z.boolean().optional(),
  /** A condition on the parameters (`component == backend`); false, the step is skipped (runbook-when.ts). */
  when: z.string().min(1).optional(),
  /** How long the step is planned to take (`10m`): the plan at start and the off-track alarm add them up. */
  estimate: durationField.optional(),
};

const remote = {
  /** An entry of `hosts:` in the config; omitted runs on the bot's own host. */
  host: z.string().min(1).optional(),
  /** Log in as this user instead of the host entry's. */
  user: z.string().min(1).optional(),
  argv,
};

const shapes = {
  ssh: { ...remote, host: z.string().min(1) },
  local: { argv },
  manual: { instructions: z.string().min(1), role: z.string().min(1).optional() },
  wait: { duration: durationField },
  loop: { loop: slug, every: durationField, ...remote },
  "stop-loop": { loop: slug },
  check: {
    http: z
      .strictObject({
        url: z
          .string()
          .regex(/^(https?:\/\/|\$\{)/, "expected an http:// or https:// URL (or a parameter holding one)"),
        status: z.number().int().min(100).max(599).default(200),
        /** Text the body must contain. */
        body: z.string().optional(),
        /** Also fetch what the page refers to: its stylesheets, its links to other sites (kinds/check-page.ts). */
        follow: z.array(z.enum(["stylesheets", "links"])).optional(),
      })
      .optional(),
    host: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    argv: argv.optional(),
    /** A regular expression the command's output must match (each line tested with the m flag). */
    expect: z.string().min(1).optional(),
    /** The output must be the same as that of this earlier check step when it passed (nothing changed). */
    same: slug.optional(),
    /** Passes once an iteration of this loop that began after the check began has ended well (caught up). */
    loop: slug.optional(),
    /** The output holds staging "applied just now in N seconds" lines; passes when 2 × their sum + 10m fits this window. */
    budget: durationField.optional(),
    /** Keep trying until this long after the first attempt. */
    deadline: durationField.default(300_000),
    /** Pause between attempts. */
    interval: durationField.default(10_000),
  },
  topic: {
    /** The run's topic segment; omitted together with clear: true removes it. */
    segment: z.string().min(1).optional(),
    clear: z.boolean().optional(),
    /** "network:channel" list; default: every configured channel. */
    channels: z.array(z.string().regex(/^(irc|slack|console):.+$/, "expected NETWORK:CHANNEL")).optional(),
  },
  announce: { text: z.string().min(1), targets: z.array(z.string().min(1)).optional() },
  "downtime-start": { text: z.string().min(1).optional() },
  "downtime-end": { text: z.string().min(1).optional() },
  lpndt: {
    /** An entry of `hosts:`; the same lock as `!lpndt` when the config's lpndt: host names it. */
    host: z.string().min(1),
    user: z.string().min(1).optional(),
    verb: z.enum(["service-stop", "service-start"]),
    service: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "expected a plain service name"),
  },
  /** RC mode on or off, as `!rc-mode on|off` does it (state, topic segment, announcement). */
  "rc-mode": { mode: z.enum(["on", "off"]), reason: z.string().min(1).optional() },
} as const;

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
