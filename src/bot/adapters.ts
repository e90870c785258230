import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import { ConsoleAdapter } from "./console.js";
import type { ChatAdapter } from "./types.js";

/** The adapters the config asks for, one per configured network. */
export function createAdapters(config: Config, _log: Logger): ChatAdapter[] {
  const out: ChatAdapter[] = [];
  const n = config.networks;
  if (n.console) out.push(new ConsoleAdapter({ user: n.console.user, channel: n.console.channel }));
  return out;
}
