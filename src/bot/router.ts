import { randomBytes } from "node:crypto";
import { closest, distance } from "fastest-levenshtein";
import { findCommand, neededRoles, senderRoles, suggest } from "../commands/registry.js";
import { type Command, type CommandContext, commandKey } from "../commands/types.js";
import { ErrorCode, isUserError, PermissionError, UsageError, UserError } from "../core/errors.js";
import { allowed, identityKey } from "../core/identity.js";
import type { InboundMessage } from "../core/messages.js";
import { parseCommand } from "../core/parse.js";
import type { Services } from "../domain/services.js";
import { startJob } from "../infra/enqueue.js";
import type { JobRecord } from "../infra/job-store.js";
import type { HandlerRegistry } from "../jobs/runner.js";

/** Longest command line accepted (bytes); longer ones are refused with a clear message. */
export const MAX_COMMAND_BYTES = 4096;

export interface HandleResult {
  /** Jobs the command started (the console's scripting mode waits for them). */
  jobs: number[];
  /** What happened, for tests and the audit log. */
  outcome: "ignored" | "duplicate" | "ok" | "refused" | "denied" | "error" | "unknown";
}

type Middleware = (msg: InboundMessage) => Promise<HandleResult["outcome"] | undefined>;

/**
 * Turns chat lines into commands: ignore the bot's own messages, drop
 * redeliveries, parse, look up, check the role, run. A UserError reaches the
 * user verbatim; anything else is logged with its stack and the user gets a
 * short message with a correlation id. One throwing handler never stops it.
 */
export class Router {
  private readonly middleware: Middleware[];

  constructor(
    private readonly services: Services,
    private readonly commands: readonly Command[],
    private readonly handlers: HandlerRegistry,
  ) {
    this.middleware = [this.ignoreBots, this.dedupe];
  }

  private ignoreBots: Middleware = async (msg) => (msg.fromBot ? "ignored" : undefined);

  private dedupe: Middleware = async (msg) => {
    const key = `${this.services.prefix}:seen:${msg.network}:${msg.id}`;
    const fresh = await this.services.redis.set(key, "1", "EX", 3600, "NX");
    return fresh ? undefined : "duplicate";
  };

  async handle(msg: InboundMessage): Promise<HandleResult> {
    const jobs: number[] = [];
    try {
      if (!msg.addressed && !msg.text.trimStart().startsWith(this.services.config.prefix)) {
        return { jobs, outcome: "ignored" };
      }
      for (const m of this.middleware) {
        const stop = await m(msg);
        if (stop) return { jobs, outcome: stop };
      }
      const outcome = await this.dispatch(msg, jobs);
      return { jobs, outcome };
    } catch (e) {
      return { jobs, outcome: await this.fail(msg, e) };
    }
  }

  private async dispatch(msg: InboundMessage, jobs: number[]): Promise<HandleResult["outcome"]> {
    const { services } = this;
    const { prefix } = services.config;
    const size = Buffer.byteLength(msg.text);
    if (size > MAX_COMMAND_BYTES) {
      throw new UserError(
        `That command is ${size} bytes; the limit is ${MAX_COMMAND_BYTES}. Nothing was run.`,
        ErrorCode.Usage,
      );
    }
    const parsed = parseCommand(msg.text, prefix, msg.addressed);
    if (!parsed) return "ignored";
    const found = findCommand(this.commands, parsed);
    if (!found) {
      await this.reply(msg, suggest(this.commands, parsed, prefix));
      await services.audit.record({
        event: "command",
        who: identityKey(msg.user),
        network: msg.network,
        channel: msg.channel,
        command: msg.text.slice(0, 200),
        outcome: "unknown",
      });
      return "unknown";
    }
    const { cmd, words } = found;
    const roles = senderRoles(services, msg);
    const needed = neededRoles(services, cmd);
    if (!allowed(roles, needed)) {
      await services.audit.record({
        event: "denied",
        who: identityKey(msg.user),
        network: msg.network,
        channel: msg.channel,
        command: commandKey(cmd),
      });
      throw new PermissionError(
        `${prefix}${commandKey(cmd)} needs the role ${needed.join(" or ")}; you (${identityKey(msg.user)}) have ${roles.length ? roles.join(", ") : "no roles"}. Nothing was run.`,
      );
    }
    const parsedArgs = cmd.args.safeParse(words);
    if (!parsedArgs.success) {
      // "!topic ad x": a near-miss of a sub-command says so, rather than "bad arguments to !topic".
      const subs = this.commands.filter((c) => c.family === cmd.family && c.name).map((c) => c.name);
      const first = words[0]?.toLowerCase();
      if (!cmd.name && first && subs.length && distance(closest(first, subs), first) <= 2) {
        throw new UserError(suggest(this.commands, parsed, prefix), ErrorCode.UnknownCommand);
      }
      const issue = parsedArgs.error.issues[0];
      throw new UsageError(issue?.message ?? "bad arguments", cmd.usage);
    }
    const ctx: CommandContext = {
      msg,
      args: parsedArgs.data,
      words,
      roles,
      services,
      commands: this.commands,
      handlers: this.handlers,
      reply: (text, opts) => this.reply(msg, text, opts),
      enqueue: async (req) => {
        const ack = async (r: JobRecord) => {
          await this.reply(msg, req.ack ? req.ack(r) : `queued #${r.id}: ${req.summary}`, { ref: r.ref });
        };
        const rec = await startJob(services, req, msg, req.quiet ? undefined : ack);
        jobs.push(rec.id);
        return rec;
      },
    };
    await cmd.run(ctx);
    await services.audit.record({
      event: "command",
      who: identityKey(msg.user),
      network: msg.network,
      channel: msg.channel,
      command: msg.text.slice(0, 500),
      outcome: jobs.length ? `queued ${jobs.map((j) => `#${j}`).join(" ")}` : "ok",
    });
    return "ok";
  }

  private async fail(msg: InboundMessage, e: unknown): Promise<HandleResult["outcome"]> {
    const { log } = this.services;
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
        await this.reply(msg, e.message, { kind: "alarm" });
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

  private async reply(
    msg: InboundMessage,
    text: string,
    opts: { ref?: string; kind?: "reply" | "alarm"; blocks?: unknown[]; outputLines?: number } = {},
  ) {
    await this.services.outbox.send({
      network: msg.network,
      target: msg.channel,
      kind: opts.kind ?? "reply",
      text,
      threadId: msg.threadId,
      ref: opts.ref,
      blocks: opts.blocks,
      outputLines: opts.outputLines,
    });
  }
}
