import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../core/errors.js";
import { DEFAULT_ROLES, nameProblems } from "./checks.js";
import { type Config, configSchema } from "./schema.js";

/** The project's root folder (where the shipped runbooks/ live). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface LoadedConfig {
  config: Config;
  /** The file it came from; undefined for the embedded default. */
  path?: string;
  embedded: boolean;
}

export { DEFAULT_ROLES } from "./checks.js";

export function embeddedDefault(env: NodeJS.ProcessEnv = process.env): unknown {
  const user = env.CHANGEBOT_USER || env.USER || "operator";
  const safeUser = user.replace(/[^A-Za-z0-9._-]/g, "_") || "operator";
  return {
    networks: { console: { user: safeUser } },
    roles: Object.fromEntries(DEFAULT_ROLES.map((r) => [r, [`console:${safeUser}`]])),
    announce: ["console:console"],
    runbooks: env.CHANGEBOT_RUNBOOKS || resolve(PACKAGE_ROOT, "runbooks"),
    dataDir: env.CHANGEBOT_DATA || "./data",
  };
}

/**
 * `${VAR}` (and `${VAR:-default}`) in every string value, from the environment. `$${` escapes.
 * Every variable that is not set is reported, each with its key path.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv): unknown {
  const missing: string[] = [];
  const out = interpolateAt(value, env, [], missing);
  if (missing.length) throw new ConfigError(missing.join("\n"));
  return out;
}

function interpolateAt(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  missing: string[],
): unknown {
  if (typeof value === "string") {
    return value.replace(/\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, esc, name, dflt) => {
      if (esc) return whole.slice(1);
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (dflt !== undefined) return dflt;
      missing.push(`config ${formatPath(path)}: environment variable ${name} is not set`);
      return "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateAt(v, env, [...path, i], missing));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        interpolateAt(v, env, [...path, k], missing),
      ]),
    );
  }
  return value;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** One line per problem, each naming the key path and what was expected. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], where = "config"): string {
  return issues
    .map((i) => {
      let msg = i.message;
      if (i.code === "unrecognized_keys") msg = `unknown key(s) ${i.keys.map((k) => `"${k}"`).join(", ")}`;
      if (i.code === "invalid_type" && /received undefined/.test(msg))
        msg = `missing (expected ${i.expected})`;
      return `${where} ${formatPath(i.path)}: ${msg}`;
    })
    .join("\n");
}

export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  baseDir = process.cwd(),
): Config {
  const interpolated = interpolate(raw ?? {}, env);
  // A config that does not say where its runbooks are uses CHANGEBOT_RUNBOOKS (the container
  // image sets it to the runbooks it ships), else ./runbooks beside the config.
  if (env.CHANGEBOT_RUNBOOKS && isRecord(interpolated) && interpolated.runbooks === undefined)
    interpolated.runbooks = env.CHANGEBOT_RUNBOOKS;
  const result = configSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues));
  const config = result.data;
  const rel = (p: string) => {
    const expanded = p.startsWith("~/") ? `${homedir()}${p.slice(1)}` : p;
    return isAbsolute(expanded) ? expanded : resolve(baseDir, expanded);
  };
  config.runbooks = rel(config.runbooks);
  config.dataDir = rel(config.dataDir);
  if (config.log.file) config.log.file = rel(config.log.file);
  const sasl = config.networks.irc?.sasl;
  if (sasl?.cert) sasl.cert = rel(sasl.cert);
  if (sasl?.key) sasl.key = rel(sasl.key);
  // A local lpndt command given as a relative path is relative to the config file (the demo's script).
  const lp = config.lpndt;
  if (lp?.host === "local" && /^\.\.?\//.test(lp.command[0]!)) lp.command[0] = rel(lp.command[0]!);
  for (const h of Object.values(config.hosts)) {
    if (h.key) h.key = rel(h.key);
    if (h.knownHosts) h.knownHosts = rel(h.knownHosts);
  }
  checkCrossReferences(config);
  return config;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** References between sections that a schema alone cannot see. */
function checkCrossReferences(config: Config): void {
  const problems: string[] = [];
  const hostNames = Object.keys(config.hosts);
  const have = `(have: ${["local", ...hostNames].join(", ")})`;
  if (config.hosts.local)
    problems.push(`config hosts.local: "local" is reserved for the bot's own host; use another name`);
  if (config.lpndt && config.lpndt.host !== "local" && !config.hosts[config.lpndt.host]) {
    problems.push(`config lpndt.host: "${config.lpndt.host}" is not an entry of hosts ${have}`);
  }
  if (config.lpndt?.host === "local" && config.lpndt.user)
    problems.push(`config lpndt.user: cannot log in as another user on host "local" (the bot's own host)`);
  for (const which of ["onSteps", "offSteps"] as const) {
    config.rcMode[which].forEach((step, i) => {
      if (step.host && step.host !== "local" && !config.hosts[step.host])
        problems.push(`config rcMode.${which}[${i}].host: "${step.host}" is not an entry of hosts ${have}`);
    });
  }
  for (const [name, h] of Object.entries(config.hosts)) {
    if (h.jump && !config.hosts[h.jump])
      problems.push(`config hosts.${name}.jump: "${h.jump}" is not an entry of hosts`);
  }
  problems.push(...nameProblems(config));
  const irc = config.networks.irc;
  for (const [role, rules] of Object.entries(config.roles)) {
    rules.forEach((rule, i) => {
      if (rule.startsWith("irc:nick:") && !irc?.allowInsecureNickRules) {
        problems.push(
          `config roles.${role}[${i}]: "${rule}" matches a bare IRC nick, which anyone can take; use irc:account: or irc:mask:, or set networks.irc.allowInsecureNickRules: true`,
        );
      }
    });
  }
  if (problems.length) throw new ConfigError(problems.join("\n"));
}

/** The config from --config, CHANGEBOT_CONFIG, or the embedded default. */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = path ?? env.CHANGEBOT_CONFIG;
  if (!file) return { config: parseConfig(embeddedDefault(env), env), embedded: true };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(
      `config file ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (e as Error).message}`,
    );
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const first = doc.errors[0]!;
    throw new ConfigError(`config file ${file}: YAML error: ${first.message.split("\n")[0]}`);
  }
  return {
    config: parseConfig(doc.toJS(), env, dirname(resolve(file))),
    path: resolve(file),
    embedded: false,
  };
}
