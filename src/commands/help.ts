import { z } from "zod";
import { UserError } from "../core/errors.js";
import { allowed, identityKey } from "../core/identity.js";
import { noArgs } from "./args.js";
import { neededRoles } from "./registry.js";
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
      const mine = ctx.commands.filter((c) => allowed(ctx.roles, neededRoles(services, c)));
      const want = ctx.args.map((w) =>
        w.replace(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), "").toLowerCase(),
      );
      if (want.length) {
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
        return;
      }
      const lines = mine.map((c) => `${fix(c.usage, p)} — ${c.summary}`);
      // In an IRC channel: the families here, the whole list privately (commands/answer.ts).
      const families = [...new Set(mine.map((c) => `${p}${c.family}`))].join(" ");
      await ctx.reply(`Commands you may run (${p}help <command> for an example):\n${lines.join("\n")}`, {
        brief: `Commands you may run: ${families} (${p}help <command> for one).`,
        privately: true,
      });
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

/** Usage strings are written with "!"; show them with the configured prefix. */
function fix(s: string, prefix: string): string {
  return prefix === "!" ? s : s.replace(/^!/, prefix);
}
