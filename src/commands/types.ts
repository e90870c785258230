import type { z } from "zod";
import type { InboundMessage } from "../core/messages.js";
import type { SayOptions } from "../core/outbound.js";
import type { Services } from "../domain/services.js";
import type { EnqueueRequest } from "../infra/enqueue.js";
import type { JobRecord } from "../infra/job-store.js";
import type { HandlerRegistry } from "../jobs/runner.js";
import type { Answer } from "./answer.js";

/**
 * How a command's reply is said (core/outbound.ts), and how it is shortened where
 * a long answer would flood (commands/answer.ts): its page, its brief form, or
 * the whole of it privately.
 */
export type ReplyOptions = Pick<SayOptions, "ref" | "blocks" | "outputLines" | "events" | "actions"> &
  Pick<Answer, "page" | "brief" | "privately" | "privateNote"> & { kind?: "reply" | "alarm" };

export type { EnqueueRequest };

export interface CommandContext<A = unknown> {
  msg: InboundMessage;
  args: A;
  /** The raw words after the command name. */
  words: string[];
  /** Roles the sender holds. */
  roles: string[];
  services: Services;
  /** Every command the bot knows (for !help and "did you mean"). */
  commands: readonly Command[];
  /** Every job handler (for !job retry / done). */
  handlers: HandlerRegistry;
  /** Answers the message where it came from; a long answer by the rule of commands/answer.ts. */
  reply(text: string, opts?: ReplyOptions): Promise<void>;
  /** The full address of a web page ("/jobs/42"), when `web.baseUrl` is set; else undefined. */
  pageUrl(page: string): string | undefined;
  /** Enqueue a job on the work queue and (unless quiet) reply "queued #n: summary" at once. */
  enqueue(req: EnqueueRequest): Promise<JobRecord>;
}

export interface Command<A = unknown> {
  family: string;
  /** Sub-command ("on" in "!rc-mode on"); "" for the family itself ("!help", "!job 42"). */
  name: string;
  /** "!lpndt service-stop <service>" */
  usage: string;
  /** One line for !help. */
  summary: string;
  example?: string;
  /** Parses the words after the command name. */
  args: z.ZodType<A, string[]>;
  /** Roles that may run it by default ([] = anyone); config `permissions` overrides. */
  roles: readonly string[];
  run(ctx: CommandContext<A>): Promise<void>;
}

/** Lets a family file declare commands with typed args without casts at each site. */
export function command<A>(c: Command<A>): Command<unknown> {
  return c as unknown as Command<unknown>;
}

/** The key a command has in `permissions:` and in "did you mean". */
export function commandKey(c: Pick<Command, "family" | "name">): string {
  return c.name ? `${c.family} ${c.name}` : c.family;
}
