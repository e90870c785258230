import type { Config } from "../config/schema.js";
import type { Logger } from "../core/log.js";
import type { ChatAdapter, InboundMessage } from "../core/messages.js";
import type { Services } from "../domain/services.js";
import { ConsoleAdapter } from "./console.js";

/**
 * The adapters the config asks for, one per configured network. IRC and Slack
 * are loaded only when configured: @slack/bolt alone adds ~35 MB and ~200 ms
 * to a start that uses only the console.
 */
export async function createAdapters(config: Config, log: Logger): Promise<ChatAdapter[]> {
  const out: ChatAdapter[] = [];
  const n = config.networks;
  if (n.console) out.push(new ConsoleAdapter({ user: n.console.user, channel: n.console.channel }));
  if (n.irc) {
    const { createIrcAdapter } = await import("./irc/factory.js");
    out.push(createIrcAdapter(n.irc, config.name, log));
  }
  if (n.slack) {
    const { SlackAdapter } = await import("./slack/adapter.js");
    out.push(new SlackAdapter({ config: n.slack, log }));
  }
  return out;
}

/** Asks the router whether a line's sender may run it: the role check's refusal, or undefined. */
export type RefusalCheck = (m: InboundMessage) => string | undefined;

/**
 * An adapter that reads the bot's state itself (Slack's App Home, its forms), given
 * the services once they exist and the router's role check, to ask before it offers a form.
 */
export function usesServices(
  a: ChatAdapter,
): a is ChatAdapter & { useServices(s: Services, refusal: RefusalCheck): void } {
  return typeof (a as { useServices?: unknown }).useServices === "function";
}
