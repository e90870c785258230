import { readFileSync } from "node:fs";
import type { IrcNetConfig } from "../../config/schema.js";
import { StartupError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import { IrcAdapter, type IrcAdapterOptions } from "./adapter.js";

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new StartupError(`networks.irc.sasl.${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * The IRC adapter for `networks.irc` (client certificate files are read here, once).
 * `extra` sets what is not configuration (an injected ticker for the nick retry).
 */
export function createIrcAdapter(
  c: IrcNetConfig,
  name: string,
  log: Logger,
  extra: Partial<IrcAdapterOptions> = {},
): IrcAdapter {
  const sasl = c.sasl && {
    mechanism: c.sasl.mechanism,
    account: c.sasl.account,
    password: c.sasl.password,
    cert: c.sasl.cert ? readPem(c.sasl.cert, "cert") : undefined,
    key: c.sasl.key ? readPem(c.sasl.key, "key") : undefined,
  };
  return new IrcAdapter({
    connect: {
      host: c.host,
      port: c.port,
      tls: c.tls,
      tlsInsecure: c.tlsInsecure,
      nick: c.nick,
      username: c.username,
      realname: c.realname,
      password: c.password,
      sasl,
    },
    channels: c.channels,
    name,
    linesPerSecond: c.linesPerSecond,
    burst: c.burst,
    log: log.child({ network: "irc" }),
    ...extra,
  });
}
