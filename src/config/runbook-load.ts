import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { formatPath } from "./load.js";
import {
  BUILTIN_SCHEMAS,
  type Runbook,
  runbookHeader,
  type Step,
  type StepSchema,
  stepObject,
  type UndoAction,
  undoObject,
} from "./runbook.js";
import { crossCheck, stepLabel } from "./runbook-cross.js";
import type { Config } from "./schema.js";

/**
 * Reads every *.yaml / *.yml runbook in a folder and checks it: the schema of
 * each step kind, then what needs the whole runbook or the config — roles exist,
 * a manual step names who acks it, no undo on an irreversible step, every loop
 * is stopped by a later stop-loop, every ${param} used is declared. Each problem
 * is one line naming the file, the step and the key. Step kinds beyond the
 * built-in ones are given by the caller (their schemas come with their modules).
 */

/** Step kinds given beside the built-in ones: none. */
const NO_EXTRA: readonly StepSchema[] = [];

interface Kinds {
  byKind: Map<string, { schema: StepSchema; step: z.ZodType; undo?: z.ZodType }>;
  names: string[];
  undoNames: string[];
}

const kindSets = new WeakMap<readonly StepSchema[], Kinds>();

/** The built-in schemas and the extra ones, each kind's zod objects built once. */
function kindsOf(extra: readonly StepSchema[]): Kinds {
  let k = kindSets.get(extra);
  if (k) return k;
  const byKind: Kinds["byKind"] = new Map();
  for (const schema of [...BUILTIN_SCHEMAS, ...extra]) {
    if (byKind.has(schema.kind)) throw new Error(`step kind "${schema.kind}" is defined twice`);
    byKind.set(schema.kind, {
      schema,
      step: stepObject(schema.kind, schema.fields),
      undo: schema.undoable ? undoObject(schema.kind, schema.fields) : undefined,
    });
  }
  const all = [...byKind.values()];
  k = {
    byKind,
    names: all.map((x) => x.schema.kind),
    undoNames: all.filter((x) => x.undo).map((x) => x.schema.kind),
  };
  kindSets.set(extra, k);
  return k;
}

export interface RunbookSet {
  runbooks: Map<string, Runbook>;
  /** Lines that do not stop the bot (a runbook needing hosts the config lacks). */
  warnings: string[];
}

function issues(file: string, where: string, e: z.ZodError): string[] {
  return e.issues.map((i) => {
    let msg = i.message;
    if (i.code === "unrecognized_keys") msg = `unknown key(s) ${i.keys.map((k) => `"${k}"`).join(", ")}`;
    if (i.code === "invalid_type" && /received undefined/.test(msg)) msg = `missing (expected ${i.expected})`;
    const path = formatPath(i.path);
    return `${file} ${where}${i.path.length ? `${where ? "." : ""}${path}` : ""}: ${msg}`.replace(/ :/, ":");
  });
}

function parseUndo(
  kinds: Kinds,
  file: string,
  where: string,
  raw: unknown,
  problems: string[],
): UndoAction | undefined {
  const kind = (raw as { kind?: unknown })?.kind;
  const schema = typeof kind === "string" ? kinds.byKind.get(kind)?.undo : undefined;
  if (!schema) {
    problems.push(
      `${file} ${where} undo.kind: ${kind === undefined ? "missing" : `"${String(kind)}" cannot be an undo`} (expected one of ${kinds.undoNames.join(", ")})`,
    );
    return undefined;
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    problems.push(...issues(file, `${where} undo`, r.error));
    return undefined;
  }
  return r.data as UndoAction;
}

function parseStep(
  kinds: Kinds,
  file: string,
  i: number,
  raw: unknown,
  problems: string[],
): Step | undefined {
  const where = stepLabel(i, raw);
  const kind = (raw as { kind?: unknown })?.kind;
  const schema = typeof kind === "string" ? kinds.byKind.get(kind)?.step : undefined;
  if (!schema) {
    problems.push(
      `${file} ${where} kind: ${kind === undefined ? "missing" : `unknown step kind "${String(kind)}"`} (expected one of ${kinds.names.join(", ")})`,
    );
    return undefined;
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    problems.push(...issues(file, where, r.error));
    return undefined;
  }
  const step = r.data as Step & { undo?: unknown };
  step.id ??= `step-${i + 1}`;
  if (step.undo !== undefined) {
    const u = parseUndo(kinds, file, where, step.undo, problems);
    if (!u) return undefined;
    step.undo = u;
  }
  return step as Step;
}

function hostsOf(steps: Step[]): string[] {
  const set = new Set<string>();
  for (const s of steps) {
    for (const h of ["host" in s ? s.host : undefined, s.undo && "host" in s.undo ? s.undo.host : undefined])
      if (h) set.add(h);
  }
  return [...set];
}

/** Parses one runbook's YAML text; problems are appended, one line each. */
export function parseRunbook(
  file: string,
  text: string,
  config: Config,
  problems: string[],
  extra: readonly StepSchema[] = NO_EXTRA,
): Runbook | undefined {
  const kinds = kindsOf(extra);
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    problems.push(`${file}: YAML error: ${doc.errors[0]!.message.split("\n")[0]}`);
    return undefined;
  }
  const head = runbookHeader.safeParse(doc.toJS());
  if (!head.success) {
    problems.push(...issues(file, "", head.error));
    return undefined;
  }
  const before = problems.length;
  const steps = head.data.steps.map((raw, i) => parseStep(kinds, file, i, raw, problems));
  if (problems.length > before) return undefined;
  const rb: Runbook = {
    ...head.data,
    steps: steps as Step[],
    file,
    hosts: hostsOf(steps as Step[]),
    missingHosts: [],
  };
  crossCheck((kind) => kinds.byKind.get(kind)?.schema, file, rb, config, problems);
  return problems.length > before ? undefined : rb;
}

/** Every runbook in the config's folder; a ConfigError lists every problem found. */
export function loadRunbooks(config: Config, extra: readonly StepSchema[] = NO_EXTRA): RunbookSet {
  const dir = config.runbooks;
  const runbooks = new Map<string, Runbook>();
  const warnings: string[] = [];
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(`config runbooks: ${dir} is not a folder`);
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      return { runbooks, warnings: [`runbooks: the folder ${dir} does not exist; no runbooks loaded`] };
    }
    throw e;
  }
  const problems: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const shown = relative(process.cwd(), path).startsWith("..") ? path : relative(process.cwd(), path);
    const rb = parseRunbook(shown, readFileSync(path, "utf8"), config, problems, extra);
    if (!rb) continue;
    const other = runbooks.get(rb.id);
    if (other) {
      problems.push(`${shown} id: "${rb.id}" is also the id of ${basename(other.file)}`);
      continue;
    }
    runbooks.set(rb.id, rb);
    if (rb.missingHosts.length)
      warnings.push(
        `runbook ${rb.id} (${shown}) refers to host(s) ${rb.missingHosts.join(", ")} that the config's hosts: lacks; it cannot be started until they are added`,
      );
  }
  if (problems.length) throw new ConfigError(problems.join("\n"));
  return { runbooks, warnings };
}

const cache = new WeakMap<Config, WeakMap<readonly StepSchema[], RunbookSet>>();

/** The runbooks of a config, read with these extra step kinds, loaded once (at start) and kept. */
export function runbooksOf(config: Config, extra: readonly StepSchema[] = NO_EXTRA): RunbookSet {
  const byKinds = cache.get(config) ?? new WeakMap<readonly StepSchema[], RunbookSet>();
  cache.set(config, byKinds);
  let set = byKinds.get(extra);
  if (!set) {
    set = loadRunbooks(config, extra);
    byKinds.set(extra, set);
  }
  return set;
}

/** `changebot validate`: the runbooks folder, one line per runbook, warnings after. */
export async function validateRunbooks(loaded: { config: Config }): Promise<string> {
  const { runbooks, warnings } = loadRunbooks(loaded.config);
  const list = [...runbooks.values()].map((r) => `${r.id} (${r.steps.length} steps)`).join(", ");
  return [
    `  runbooks: ${runbooks.size} in ${loaded.config.runbooks}${list ? `: ${list}` : ""}`,
    ...warnings.map((w) => `  warning: ${w}`),
  ].join("\n");
}
