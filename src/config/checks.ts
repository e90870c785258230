import { closest, distance } from "fastest-levenshtein";
import { ConfigError } from "../core/errors.js";
import type { Config } from "./schema.js";
import { webProblems } from "./web.js";

/**
 * Checks of names the schema alone cannot judge: roles and commands named in
 * `permissions:`, the networks of `announce:` targets, webhook URLs, IRC mask
 * rules. Each problem is one line naming the key path, with "did you mean"
 * where a near name exists. The command names come in from the composition
 * root (config sits below the commands and must not import them).
 */

/** Every role the bot knows by default; the console user of the embedded default holds them all. */
export const DEFAULT_ROLES = ["admin", "lead", "losa", "engineer"] as const;

/** The roles a config can name: the defaults and every role under `roles:`. */
export const knownRoles = (config: Pick<Config, "roles">): string[] => [
  ...new Set<string>([...DEFAULT_ROLES, ...Object.keys(config.roles)]),
];

/** ` did you mean "x"?` when a name is within a few edits of the given one; else "". */
export function didYouMean(given: string, names: readonly string[]): string {
  if (!names.length) return "";
  const near = closest(given.toLowerCase(), [...names]);
  const max = Math.max(1, Math.min(3, Math.floor(given.length / 3)));
  return distance(near, given.toLowerCase()) <= max ? `; did you mean "${near}"?` : "";
}

/** A key of a path as the error shows it: bare when it is a plain name, else quoted. */
const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k));

const CHAT_NETWORKS = ["console", "irc", "slack"] as const;

/** The problem with one announcement target ("irc:#x", "webhook:https://…"), or undefined. */
export function targetProblem(config: Pick<Config, "networks">, spec: string): string | undefined {
  const i = spec.indexOf(":");
  const network = i < 0 ? spec : spec.slice(0, i);
  const target = i < 0 ? "" : spec.slice(i + 1);
  if (network === "webhook") {
    let url: URL | undefined;
    try {
      url = new URL(target);
    } catch {
      url = undefined;
    }
    if (!url || !["http:", "https:"].includes(url.protocol) || !url.hostname)
      return `"${spec}": a webhook needs an http:// or https:// URL`;
    return undefined;
  }
  if (!(CHAT_NETWORKS as readonly string[]).includes(network) || !target)
    return `"${spec}": expected irc:#chan, slack:C0123, console:<channel> or webhook:https://…`;
  if (!config.networks[network as (typeof CHAT_NETWORKS)[number]])
    return `"${spec}": network "${network}" is not configured (no networks.${network}); its messages would be dropped`;
  return undefined;
}

/** An `irc:mask:` rule whose only fixed part is the nick is as spoofable as a bare nick. */
function maskProblem(rule: string): string | undefined {
  const mask = rule.slice("irc:mask:".length);
  const m = /^([^!@]*)!([^!@]*)@([^!@]*)$/.exec(mask);
  if (!m) return `"${rule}": expected irc:mask:nick!user@host`;
  const fixed = (part: string) => /[^*?]/.test(part);
  if (!fixed(m[2]!) && !fixed(m[3]!))
    return `"${rule}" fixes only the nick, which anyone can take; give a user or host (irc:mask:nick!user@host.example), use irc:account:, or set networks.irc.allowInsecureNickRules: true`;
  return undefined;
}

/** Problems in `announce:`, `rcMode.topics`, role rules and the roles `permissions:` names. */
export function nameProblems(config: Config): string[] {
  const problems: string[] = [];
  config.announce.forEach((spec, i) => {
    const p = targetProblem(config, spec);
    if (p) problems.push(`config announce[${i}]: ${p}`);
  });
  (config.rcMode.topics ?? []).forEach((spec, i) => {
    const p = targetProblem(config, spec);
    if (p) problems.push(`config rcMode.topics[${i}]: ${p}`);
  });
  const insecureOk = config.networks.irc?.allowInsecureNickRules === true;
  for (const [role, rules] of Object.entries(config.roles)) {
    rules.forEach((rule, i) => {
      const p = rule.startsWith("irc:mask:") ? maskProblem(rule) : undefined;
      if (p && !insecureOk) problems.push(`config roles.${key(role)}[${i}]: ${p}`);
    });
  }
  problems.push(...webProblems(config.web));
  const roles = knownRoles(config);
  for (const [cmd, wanted] of Object.entries(config.permissions)) {
    wanted.forEach((r, i) => {
      if (!roles.includes(r))
        problems.push(
          `config permissions.${key(cmd)}[${i}]: no role "${r}"${didYouMean(r, roles)} (known: ${roles.join(", ")})`,
        );
    });
  }
  return problems;
}

/**
 * `permissions:` keys that name no command ("migrate strat"). `commandKeys` are
 * "family sub" and "family" for every command the bot has.
 */
export function permissionKeyProblems(config: Pick<Config, "permissions">, commandKeys: readonly string[]) {
  const known = [...new Set([...commandKeys, ...commandKeys.map((k) => k.split(" ")[0]!)])];
  return Object.keys(config.permissions)
    .filter((k) => !known.includes(k))
    .map((k) => `config permissions.${key(k)}: no such command${didYouMean(k, known)}`);
}

/** Throws a ConfigError naming every `permissions:` key that is no command. */
export function checkPermissionKeys(config: Pick<Config, "permissions">, commandKeys: readonly string[]) {
  const problems = permissionKeyProblems(config, commandKeys);
  if (problems.length) throw new ConfigError(problems.join("\n"));
}

/** Things that work but are likely not meant: `changebot validate` prints them as warnings. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.announce.length === 0)
    warnings.push(
      "  warning: config announce: no announcement target; each announcement goes to the channel of the command, run or downtime it belongs to",
    );
  warnings.push(...sentinelWarnings(config));
  return warnings;
}

/** A Sentinel setup that works but would not survive what it is there for. */
export function sentinelWarnings(config: Pick<Config, "redis">): string[] {
  const r = config.redis;
  if (!r || typeof r === "string") return [];
  const out: string[] = [];
  const distinct = new Set(r.sentinels);
  if (distinct.size < r.sentinels.length)
    out.push("  warning: config redis.sentinels: an address is listed twice");
  if (distinct.size < 3)
    out.push(
      `  warning: config redis.sentinels: ${distinct.size} sentinel${distinct.size === 1 ? "" : "s"}; a failover needs a majority of sentinels that see each other, so run three or more on separate hosts and list them all`,
    );
  return out;
}
