import type { Command } from "../commands/types.js";
import { ErrorCode, PermissionError, UserError } from "../core/errors.js";
import { allowed, identityKey } from "../core/identity.js";
import type { InboundMessage, OutboundMessage } from "../core/messages.js";
import type { ParsedCommand } from "../core/parse.js";
import type { AuditEntry } from "../infra/audit.js";
import type { SeenStore } from "../infra/seen.js";

/**
 * The router's middleware, in the spirit of errbot's command filters and Hubot's
 * middleware: each step sees the request and either answers (stops the line) or
 * calls next() and may look at what came back. They run in list order, so
 * adding one is adding it to the list (defaultMiddleware).
 */

export type RouteOutcome = "ignored" | "duplicate" | "ok" | "refused" | "denied" | "error" | "unknown";

/** A command the line names, with who may run it. */
export interface FoundCommand {
  cmd: Command;
  /** The words after the command name. */
  words: string[];
  /** "rc-mode on": the key in `permissions:` and in the audit log. */
  key: string;
  /** Roles the sender holds. */
  roles: string[];
  /** Roles that may run it (config `permissions` over the command's default). */
  needed: readonly string[];
}

export interface Lookup {
  parsed: ParsedCommand;
  /** Undefined: the line names no command the bot has. */
  found?: FoundCommand;
}

export interface RouteRequest {
  msg: InboundMessage;
  /**
   * Parses the line and looks its command up, once (the router supplies it).
   * Undefined when the line is not a command after all; throws a UserError when
   * it cannot be parsed (an unclosed quote).
   */
  lookup(): Lookup | undefined;
  /** Jobs the command started (the console's scripting mode waits for them). */
  jobs: number[];
}

export type Next = () => Promise<RouteOutcome>;
export type Middleware = (req: RouteRequest, next: Next) => Promise<RouteOutcome>;

/** Runs the list in order, then `last`. */
export function compose(list: readonly Middleware[], last: (req: RouteRequest) => Promise<RouteOutcome>) {
  return (req: RouteRequest): Promise<RouteOutcome> => {
    const step = (i: number): Promise<RouteOutcome> =>
      i < list.length ? list[i]!(req, () => step(i + 1)) : last(req);
    return step(0);
  };
}

/** Ordinary chat: neither addressed to the bot nor starting with the command prefix. */
export const ignoreChatter =
  (prefix: string): Middleware =>
  (req, next) =>
    req.msg.addressed || req.msg.text.trimStart().startsWith(prefix) ? next() : Promise.resolve("ignored");

/** The bot's own messages and other bots' are never commands. */
export const ignoreBots: Middleware = (req, next) => (req.msg.fromBot ? Promise.resolve("ignored") : next());

/**
 * A network's redelivery of a message already taken runs nothing. Asked only of
 * networks that can redeliver (ChatAdapter.redelivers): on the others every
 * message is new, and the store's round trip would only delay the answer.
 */
export const dedupe =
  (seen: SeenStore, redelivers: (network: string) => boolean = () => true): Middleware =>
  (req, next) =>
    !redelivers(req.msg.network)
      ? next()
      : seen.firstSeen(req.msg.network, req.msg.id).then((first) => (first ? next() : "duplicate"));

/** Longest command line accepted (bytes); longer ones are refused with a clear message. */
export const MAX_COMMAND_BYTES = 4096;

/** Refuses an oversized line before it is parsed. */
export const sizeLimit =
  (max = MAX_COMMAND_BYTES): Middleware =>
  async (req, next) => {
    const size = Buffer.byteLength(req.msg.text);
    if (size > max) {
      throw new UserError(
        `That command is ${size} bytes; the limit is ${max}. Nothing was run.`,
        ErrorCode.Usage,
      );
    }
    return next();
  };

/** The role check refused the command (a command's own refusals are plain PermissionErrors). */
export class CommandDenied extends PermissionError {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

/** What the role check says to a sender without one of the roles the command needs; undefined: allowed. */
export function denial(
  prefix: string,
  msg: Pick<InboundMessage, "user">,
  c: FoundCommand,
): string | undefined {
  if (allowed(c.roles, c.needed)) return undefined;
  return `${prefix}${c.key} needs the role ${c.needed.join(" or ")}; you (${identityKey(msg.user)}) have ${c.roles.length ? c.roles.join(", ") : "no roles"}. Nothing was run.`;
}

/** Runs a command only for a sender holding one of the roles it needs. */
export const acl =
  (prefix: string): Middleware =>
  async (req, next) => {
    const c = req.lookup()?.found;
    const no = c && denial(prefix, req.msg, c);
    if (c && no) throw new CommandDenied(no, c.key);
    return next();
  };

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}

/** Records what follows it: an unknown command, a denial by the role check, a command run (and its jobs). */
export const audit =
  (log: AuditSink): Middleware =>
  async (req, next) => {
    const { msg } = req;
    const base = { who: identityKey(msg.user), network: msg.network, channel: msg.channel };
    let outcome: RouteOutcome;
    try {
      outcome = await next();
    } catch (e) {
      if (e instanceof CommandDenied) await log.record({ event: "denied", ...base, command: e.command });
      throw e;
    }
    if (outcome === "unknown") {
      await log.record({ event: "command", ...base, command: msg.text.slice(0, 200), outcome: "unknown" });
    } else if (outcome === "ok") {
      const jobs = req.jobs;
      await log.record({
        event: "command",
        ...base,
        command: msg.text.slice(0, 500),
        outcome: jobs.length ? `queued ${jobs.map((j) => `#${j}`).join(" ")}` : "ok",
      });
    }
    return outcome;
  };

export interface Sender {
  send(msg: OutboundMessage): Promise<void>;
}

/** Once a command has run, sends what its message asked for then (a clicked button's message, closed). */
export const followUp =
  (outbox: Sender): Middleware =>
  async (req, next) => {
    const outcome = await next();
    if (outcome === "ok" && req.msg.whenRun) await outbox.send(req.msg.whenRun);
    return outcome;
  };

export interface MiddlewareDeps {
  prefix: string;
  seen: SeenStore;
  /** Whether a network can deliver one message twice (default: every network can). */
  redelivers?: (network: string) => boolean;
  audit: AuditSink;
  outbox: Sender;
}

/** The router's list, in order. */
export function defaultMiddleware(d: MiddlewareDeps): Middleware[] {
  return [
    ignoreChatter(d.prefix),
    ignoreBots,
    dedupe(d.seen, d.redelivers),
    sizeLimit(MAX_COMMAND_BYTES),
    followUp(d.outbox),
    audit(d.audit),
    acl(d.prefix),
  ];
}
