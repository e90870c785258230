import { z } from "zod";
import type { Config } from "../config/schema.js";
import { UserError } from "../core/errors.js";
import { allowed, identityKey } from "../core/identity.js";
import { noArgs } from "./args.js";
import { neededRoles, type RoleConfig } from "./registry.js";
import { type Command, command } from "./types.js";

/** !help [command] and !whoami. Help runs the ACL in dry-run: a user sees only what they may run. */
export const helpCommands: Command[] = [
  command({
    family: "help",
    name: "",
    usage: "!help [command]",
    summary: "the commands you may run; with a command, its usage and an example",
    example: "!help rc-mode",
    args: z.array(z.string()).max(2, "give at most one command, like: !help rc-mode"),
    roles: [],
    async run(ctx) {
      const { services } = ctx;
      const p = services.config.prefix;
      if (!ctx.args.length) {
        // In an IRC channel: the families here, the whole list privately (commands/answer.ts).
        const { text, brief } = helpFor(ctx.commands, services.config, ctx.roles);
        await ctx.reply(text, { brief, privately: true });
        return;
      }
      const mine = ctx.commands.filter((c) => allowed(ctx.roles, neededRoles(services, c)));
      const want = ctx.args.map((w) => (w.startsWith(p) ? w.slice(p.length) : w).toLowerCase());
      const [family, sub] = want;
      const matching = mine.filter((c) => c.family === family && (sub === undefined || c.name === sub));
      if (!matching.length) {
        const exists = ctx.commands.some((c) => c.family === family);
        throw new UserError(
          exists
            ? `You may not run any ${p}${family} command${sub ? ` "${sub}"` : ""}.`
            : `No command ${p}${family}. Try ${p}help.`,
        );
      }
      await ctx.reply(
        matching
          .map(
            (c) => `${fix(c.usage, p)} — ${c.summary}${c.example ? `\n    e.g. ${fix(c.example, p)}` : ""}`,
          )
          .join("\n"),
      );
    },
  }),
  command({
    family: "whoami",
    name: "",
    usage: "!whoami",
    summary: "your identity and roles, as the bot sees them",
    args: noArgs,
    roles: [],
    async run(ctx) {
      const u = ctx.msg.user;
      const extra = [
        u.account && u.network === "irc" ? `account ${u.account}` : "",
        u.mask ? `mask ${u.mask}` : "",
      ].filter(Boolean);
      await ctx.reply(
        `You are ${identityKey(u)} (${u.display}${extra.length ? `, ${extra.join(", ")}` : ""}); roles: ${ctx.roles.length ? ctx.roles.join(", ") : "none"}.`,
      );
    },
  }),
];

/** What `!help` says: the whole list, and its brief form (the families) where that would flood. */
export interface HelpText {
  text: string;
  brief: string;
}

type HelpConfig = RoleConfig["config"] & Pick<Config, "prefix">;

/**
 * The answers to a bare `!help`, built once per set of roles: every `!help` would
 * otherwise check each command's roles and join the same lines again before its
 * first line could go out. The commands (the runbook step kinds loaded at start)
 * and the config are fixed for the life of a bot; another list or another config
 * (a test's, another bot in the process) has cache entries of its own.
 */
const helpCache = new WeakMap<readonly Command[], WeakMap<HelpConfig, Map<string, HelpText>>>();

/** At most this many role sets are remembered per bot (the combinations configured are few). */
const MAX_ROLE_SETS = 64;

export function helpFor(
  commands: readonly Command[],
  config: HelpConfig,
  roles: readonly string[],
): HelpText {
  let byConfig = helpCache.get(commands);
  if (!byConfig) {
    byConfig = new WeakMap();
    helpCache.set(commands, byConfig);
  }
  let byRoles = byConfig.get(config);
  if (!byRoles) {
    byRoles = new Map();
    byConfig.set(config, byRoles);
  }
  const key = roles.join("\0");
  let help = byRoles.get(key);
  if (!help) {
    help = buildHelp(commands, config, roles);
    if (byRoles.size >= MAX_ROLE_SETS) byRoles.clear();
    byRoles.set(key, help);
  }
  return help;
}

function buildHelp(commands: readonly Command[], config: HelpConfig, roles: readonly string[]): HelpText {
  const p = config.prefix;
  const mine = commands.filter((c) => allowed(roles, neededRoles({ config }, c)));
  const lines = mine.map((c) => `${fix(c.usage, p)} — ${c.summary}`);
  const families = [...new Set(mine.map((c) => `${p}${c.family}`))].join(" ");
  return {
    text: `Commands you may run (${p}help <command> for an example):\n${lines.join("\n")}`,
    brief: `Commands you may run: ${families} (${p}help <command> for one).`,
  };
}

/** Usage strings are written with "!"; show them with the configured prefix. */
function fix(s: string, prefix: string): string {
  return prefix === "!" ? s : s.replace(/^!/, prefix);
}
