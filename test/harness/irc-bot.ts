import type { IrcAdapterOptions } from "../../src/bot/irc/adapter.js";

/** How startIrcBot starts changebot on IRC. */
export interface IrcBotOptions {
  redisUrl: string;
  /** Key prefix; default a fresh one (give the test's `prefix` fixture so its keys are cleaned up). */
  prefix?: string;
  port: number;
  channels: string[];
  roles?: Record<string, string[]>;
  irc?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** Adapter options that are not configuration (a ticker). */
  adapter?: Partial<IrcAdapterOptions>;
}

/** changebot on IRC: a real Bot on real Redis whose only network is an IrcAdapter talking to `port`. */
export async function startIrcBot(o: IrcBotOptions) {
  const { parseConfig } = await import("../../src/config/load.js");
  const { createIrcAdapter } = await import("../../src/bot/irc/factory.js");
  const { silentLogger } = await import("../../src/core/log.js");
  const { startTestBot } = await import("./bot.js");
  const { newPrefix, testConfig } = await import("./config.js");
  const prefix = o.prefix ?? newPrefix();
  const config = testConfig({
    prefix,
    networks: {
      irc: {
        host: "127.0.0.1",
        port: o.port,
        tls: false,
        nick: "changebot",
        channels: o.channels,
        burst: 10,
        linesPerSecond: 20,
        ...o.irc,
      },
    },
    roles: o.roles ?? {},
    announce: o.channels.map((c) => `irc:${c}`),
    ...o.config,
  });
  const parsed = parseConfig(config);
  const adapter = createIrcAdapter(parsed.networks.irc!, parsed.name, silentLogger(), o.adapter);
  const t = await startTestBot({ redisUrl: o.redisUrl, prefix, config, adapters: [adapter] });
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 15_000);
  try {
    await adapter.waitConnected(stop.signal);
  } catch {
    await t.stop();
    throw new Error(`changebot did not get into ${o.channels.join(", ")} on port ${o.port} within 15 s`);
  } finally {
    clearTimeout(timer);
  }
  return { ...t, irc: adapter };
}
