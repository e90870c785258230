import { LogLevel, type Logger as SlackLogger } from "@slack/bolt";
import type { Logger } from "../../core/log.js";

/** Bolt's and the Slack SDK's log lines, into the bot's pino log (secrets redacted there). */
export function slackLogger(log: Logger): SlackLogger {
  const child = log.child({ component: "slack" });
  const line = (msg: unknown[]) => msg.map((m) => (typeof m === "string" ? m : String(m))).join(" ");
  let level: LogLevel = child.isLevelEnabled("debug") ? LogLevel.DEBUG : LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(line(m)),
    info: (...m: unknown[]) => child.info(line(m)),
    warn: (...m: unknown[]) => child.warn(line(m)),
    error: (...m: unknown[]) => child.error(line(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
