import type { Config } from "../config/schema.js";
import type { Logger } from "../core/log.js";
import type { ChatAdapter } from "../core/messages.js";
import { ConsoleAdapter } from "./console.js";
import { createIrcAdapter } from "./irc/factory.js";
import { SlackAdapter } from "./slack/adapter.js";

/** The adapters the config asks for, one per configured network. */
export function createAdapters(config: Config, log: Logger): ChatAdapter[] {
  const out: ChatAdapter[] = [];
  const n = config.networks;
  if (n.console) out.push(new ConsoleAdapter({ user: n.console.user, channel: n.console.channel }));
  if (n.irc) out.push(createIrcAdapter(n.irc, config.name, log));
  if (n.slack) out.push(new SlackAdapter({ config: n.slack, log }));
  return out;
}
