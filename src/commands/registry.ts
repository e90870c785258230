import { closest, distance } from "fastest-levenshtein";
import type { Config } from "../config/schema.js";
import { rolesOf } from "../core/identity.js";
import type { InboundMessage } from "../core/messages.js";
import type { ParsedCommand } from "../core/parse.js";
import { type Command, commandKey } from "./types.js";

/** Looking commands up: by what was typed, the roles each needs, and "did you mean …". */

/** What the role rules need of the config (or of Services, which carries it). */
export interface RoleConfig {
  config: Pick<Config, "permissions" | "roles">;
}

/** The roles a command needs: config `permissions` ("family sub", then "family") over the command's default. */
export function neededRoles(s: RoleConfig, c: Command): readonly string[] {
  const p = s.config.permissions;
  return p[commandKey(c)] ?? (c.name ? p[c.family] : undefined) ?? c.roles;
}

export function senderRoles(s: RoleConfig, msg: Pick<InboundMessage, "user">): string[] {
  return rolesOf(msg.user, s.config.roles);
}

/** Finds "!family sub …" or "!family …"; the sub-command wins when both exist. */
export function findCommand(
  commands: readonly Command[],
  parsed: ParsedCommand,
): { cmd: Command; words: string[] } | undefined {
  const sub = parsed.args[0]?.toLowerCase();
  const inFamily = commands.filter((c) => c.family === parsed.family);
  const bySub = sub !== undefined ? inFamily.find((c) => c.name === sub) : undefined;
  if (bySub) return { cmd: bySub, words: parsed.args.slice(1) };
  const bare = inFamily.find((c) => c.name === "");
  if (bare) return { cmd: bare, words: parsed.args };
  return undefined;
}

/** "did you mean …" for a family or a sub-command that does not exist. */
export function suggest(commands: readonly Command[], parsed: ParsedCommand, prefix: string): string {
  const families = [...new Set(commands.map((c) => c.family))];
  const inFamily = commands.filter((c) => c.family === parsed.family);
  if (inFamily.length) {
    const subs = inFamily.map((c) => c.name).filter(Boolean);
    const given = parsed.args[0] ?? "";
    const near = given ? closest(given.toLowerCase(), subs) : undefined;
    const hint =
      near && distance(near, given.toLowerCase()) <= 3
        ? ` Did you mean ${prefix}${parsed.family} ${near}?`
        : "";
    return `${prefix}${parsed.family} has no sub-command "${given}".${hint} It has: ${subs.join(", ")}.`;
  }
  const near = closest(parsed.family, families);
  const close =
    near &&
    (distance(near, parsed.family) <= Math.max(2, Math.floor(near.length / 3)) ||
      near.startsWith(parsed.family));
  return `Unknown command ${prefix}${parsed.family}.${close ? ` Did you mean ${prefix}${near}?` : ""} Try ${prefix}help.`;
}
