import type { Identity } from "./messages.js";

/**
 * Roles are lists of identity rules in the config:
 *   console:NAME          the console user NAME
 *   irc:account:NAME      an IRC services account (the server vouches for it)
 *   irc:mask:n!u@h        an IRC hostmask, * and ? as wildcards (fallback where there are no accounts)
 *   irc:nick:NICK         a bare nick: spoofable, refused unless networks.irc.allowInsecureNickRules
 *   slack:UXXXX           a Slack user id; slack:TXXXX:UXXXX pins the workspace too
 */
export const ADMIN = "admin";

/** Mask rules compiled once: the role check runs on every command line. */
const globs = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let compiled = globs.get(glob);
  if (!compiled) {
    const re = glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    compiled = new RegExp(`^${re}$`, "i");
    // The rules come from the config: a few. The bound only keeps a reloaded config from piling up.
    if (globs.size >= 1000) globs.clear();
    globs.set(glob, compiled);
  }
  return compiled;
}

export function matchesRule(id: Identity, rule: string): boolean {
  const [net, ...rest] = rule.split(":");
  if (net !== id.network) return false;
  if (net === "console") return rest.join(":") === id.id;
  if (net === "irc") {
    const [kind, ...v] = rest;
    const value = v.join(":");
    if (kind === "account") return !!id.account && id.account.toLowerCase() === value.toLowerCase();
    if (kind === "mask") return !!id.mask && globToRegExp(value).test(id.mask);
    if (kind === "nick") return id.id.toLowerCase() === value.toLowerCase();
    return false;
  }
  if (net === "slack") {
    if (rest.length === 2) return id.account === `${rest[0]}:${rest[1]}`;
    return rest[0] === id.id;
  }
  return false;
}

export function rolesOf(id: Identity, roles: Record<string, readonly string[]>): string[] {
  return Object.entries(roles)
    .filter(([, rules]) => rules.some((r) => matchesRule(id, r)))
    .map(([role]) => role);
}

/** Who holds a role, as configured (for "ask one of: …"). */
export function holdersOf(role: string, roles: Record<string, readonly string[]>): string[] {
  return [...(roles[role] ?? [])];
}

/** May someone holding `held` run something needing one of `needed`? Empty needed = anyone; admin may do all. */
export function allowed(held: readonly string[], needed: readonly string[]): boolean {
  return needed.length === 0 || held.includes(ADMIN) || needed.some((r) => held.includes(r));
}

/** Where a user identity is matched in role rules: "console:alice", "irc:account:bob", "slack:U1". */
export function identityKey(u: Identity): string {
  if (u.network === "irc") return u.account ? `irc:account:${u.account}` : `irc:mask:${u.mask ?? u.id}`;
  return `${u.network}:${u.id}`;
}
