import { randomBytes } from "node:crypto";
import { closest, distance } from "fastest-levenshtein";
import { findCommand, neededRoles, senderRoles, suggest } from "../commands/registry.js";
import { type Command, type CommandContext, commandKey } from "../commands/types.js";
import type { Config } from "../config/schema.js";
import { ErrorCode, isUserError, UsageError, UserError } from "../core/errors.js";
import { identityKey } from "../core/identity.js";
import type { Logger } from "../core/log.js";
import type { InboundMessage } from "../core/messages.js";
import { replyTo, type SayOptions } from "../core/outbound.js";
import { parseCommand } from "../core/parse.js";
import {
  compose,
  denial,
  type FoundCommand,
  type Lookup,
  type Middleware,
  type RouteOutcome,
  type RouteRequest,
  type Sender,
} from "./middleware.js";

export interface HandleResult {
  /** Jobs the command started (the console's scripting mode waits for them). */
  jobs: number[];
  /** What happened, for tests and the audit log. */
  outcome: RouteOutcome;
  /** Why the command was refused (outcome "refused" or "denied"), as the user is told. */
  refusal?: string;
}

export interface RouterDeps {
  config: Pick<Config, "prefix" | "roles" | "permissions">;
  log: Logger;
  /** Where the router's own answers go (suggestions, refusals): the outbox. */
  outbox: Sender;
  commands: readonly Command[];
  /** Run in order before every command (bot/middleware.ts defaultMiddleware). */
  middleware: readonly Middleware[];
  /** What a command runs with (commands/context.ts). */
  context(msg: InboundMessage, found: FoundCommand, args: unknown, jobs: number[]): CommandContext;
}

/**
 * Turns chat lines into commands: runs the middleware (ignore chatter and bots,
 * drop redeliveries, limit the size, audit, check the role), parses and looks the
 * command up when asked, then runs it. A UserError reaches the user verbatim;
 * anything else is logged with its stack and the user gets a short message with
 * a correlation id. One throwing handler never stops it.
 */
export class Router {
  private readonly chain: (req: RouteRequest) => Promise<RouteOutcome>;

  constructor(private readonly deps: RouterDeps) {
    this.chain = compose(deps.middleware, (req) => this.run(req));
  }

  async handle(msg: InboundMessage): Promise<HandleResult> {
    let looked: { v: Lookup | undefined } | undefined;
    const req: RouteRequest = {
      msg,
      jobs: [],
      lookup: () => {
        looked ??= { v: this.lookup(msg) };
        return looked.v;
      },
    };
    try {
      return { jobs: req.jobs, outcome: await this.chain(req) };
    } catch (e) {
      const outcome = await this.fail(msg, e);
      return isUserError(e) ? { jobs: req.jobs, outcome, refusal: e.message } : { jobs: req.jobs, outcome };
    }
  }

  /**
   * What the role check would say to this line's sender, or undefined when they may
   * run it (or it is no command): asked before showing a form, nothing is run.
   */
  refusal(msg: InboundMessage): string | undefined {
    const found = this.lookup(msg)?.found;
    return found && denial(this.deps.config.prefix, msg, found);
  }

  private lookup(msg: InboundMessage): Lookup | undefined {
    const parsed = parseCommand(msg.text, this.deps.config.prefix, msg.addressed);
    if (!parsed) return undefined;
    const hit = findCommand(this.deps.commands, parsed);
    if (!hit) return { parsed };
    const found: FoundCommand = {
      ...hit,
      key: commandKey(hit.cmd),
      roles: senderRoles(this.deps, msg),
      needed: neededRoles(this.deps, hit.cmd),
    };
    return { parsed, found };
  }

  /** The end of the chain: the command itself. */
  private async run(req: RouteRequest): Promise<RouteOutcome> {
    const { commands, config } = this.deps;
    const l = req.lookup();
    if (!l) return "ignored";
    if (!l.found) {
      await this.reply(req.msg, suggest(commands, l.parsed, config.prefix), { visibleTo: req.msg.user.id });
      return "unknown";
    }
    const { cmd, words } = l.found;
    const parsedArgs = cmd.args.safeParse(words);
    if (!parsedArgs.success) {
      // "!topic ad x": a near-miss of a sub-command says so, rather than "bad arguments to !topic".
      const subs = commands.filter((c) => c.family === cmd.family && c.name).map((c) => c.name);
      const first = words[0]?.toLowerCase();
      if (!cmd.name && first && subs.length && distance(closest(first, subs), first) <= 2) {
        throw new UserError(suggest(commands, l.parsed, config.prefix), ErrorCode.UnknownCommand);
      }
      const issue = parsedArgs.error.issues[0];
      throw new UsageError(issue?.message ?? "bad arguments", cmd.usage);
    }
    await cmd.run(this.deps.context(req.msg, l.found, parsedArgs.data, req.jobs));
    return "ok";
  }

  private async fail(msg: InboundMessage, e: unknown): Promise<RouteOutcome> {
    const { log } = this.deps;
    try {
      if (isUserError(e)) {
        log.info(
          {
            network: msg.network,
            channel: msg.channel,
            user: identityKey(msg.user),
            code: e.code,
            reason: e.message,
          },
          "command refused",
        );
        // Someone's refused command is theirs to read, not the channel's (where the network can).
        if (!msg.refusalShownBySender)
          await this.reply(msg, e.message, { kind: "alarm", visibleTo: msg.user.id });
        return e.code === ErrorCode.Permission ? "denied" : "refused";
      }
      const ref = randomBytes(3).toString("hex");
      log.error(
        { ref, err: e, network: msg.network, channel: msg.channel, text: msg.text.slice(0, 200) },
        "command failed",
      );
      await this.reply(
        msg,
        `Sorry, that failed on my side (ref ${ref}); the details are in the bot's log. Nothing more was run.`,
        { kind: "alarm" },
      );
    } catch (e2) {
      log.error({ err: e2 }, "could not report a failure");
    }
    return "error";
  }

  private reply(msg: InboundMessage, text: string, opts: SayOptions = {}): Promise<void> {
    return this.deps.outbox.send(replyTo(msg, text, opts));
  }
}
