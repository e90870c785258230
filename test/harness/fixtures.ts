import { Redis } from "ioredis";
import { test as base } from "vitest";
import { startTestBot, type TestBotOptions } from "./bot.js";
import { newPrefix } from "./config.js";
import type { IrcUser, Ngircd, NgircdOptions } from "./irc.js";
import { type AccountsNetwork, startAccountsNetwork } from "./irc-accounts.js";
import { type IrcBot, type IrcBotStart, IrcWorld, type IrcWorldOptions } from "./irc-world.js";
import { startRunbookSshd } from "./runbook-sshd.js";
import { type SentinelCluster, startSentinelCluster } from "./sentinel.js";
import { startRedis } from "./servers.js";
import { type Sshd, startSshd } from "./sshd.js";

/**
 * The servers and bots of the integration tests, as vitest fixtures. A test
 * names what it needs (`test("…", async ({ bot, sshd }) => …)`) and gets it
 * started; a server is started once per file, on first use, and stopped after
 * the file's last test; a bot and the test's Redis keys are gone after the test.
 * A missing server fails the test naming its Debian package (test/harness/servers.ts).
 *
 * A file needing a server set up otherwise overrides its options at the top:
 *   const test = base.override("ngircdOptions", { scope: "file" }, { penalties: true });
 */
export type RedisServer = Awaited<ReturnType<typeof startRedis>>;
export type TestBot = Awaited<ReturnType<typeof startTestBot>>;
export type StartBot = (o?: Omit<TestBotOptions, "redisUrl">) => Promise<TestBot>;

export interface FileFixtures {
  /** A redis-server of its own for this file. */
  redis: RedisServer;
  /** sshd with the fake commands lpndt, pqm-rc and flaky. */
  sshd: Sshd;
  /** sshd with a fake for every command the shipped runbooks run. */
  runbookSshd: Sshd;
  ngircdOptions: NgircdOptions;
  ircWorldOptions: IrcWorldOptions;
  /** ngircd (behind a gate if ircWorldOptions asks), with the bots and people of the file's tests on it. */
  ircWorld: IrcWorld;
  /** ircWorld's ngircd as first started (a test that restarts it reads ircWorld.ngircd). */
  ngircd: Ngircd;
  accountsOptions: { accountTag?: boolean };
  /** inspircd linked to atheme services (SASL, account tags). */
  accounts: AccountsNetwork;
}

export interface TestFixtures {
  /** This test's key prefix; every key under it is deleted after the test. */
  prefix: string;
  /** Starts an in-process bot on `redis` under `prefix` (unless given another); stopped after the test. */
  bot: StartBot;
  /** A primary, a replica and three sentinels of this test's own (a test may fail the primary over). */
  sentinelCluster: SentinelCluster;
  /** Connects an IRC client to ircWorld's ngircd; it quits after the test. */
  ircUser: (nick: string, username?: string) => Promise<IrcUser>;
  /** Starts changebot on ircWorld (through its gate if any) on `redis` under `prefix`; stopped after the test. */
  ircBot: (o: IrcBotStart) => Promise<IrcBot>;
}

/** Deletes every key under `${prefix}:`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const kv = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await kv.connect();
    for await (const keys of kv.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>)
      if (keys.length > 0) await kv.unlink(...keys);
  } finally {
    kv.disconnect();
  }
}

type Use<T> = (value: T) => Promise<void>;

/** A file-scoped fixture: the server start() gives, stopped after the file's last test. */
function fileServer<T extends { stop(): Promise<void> }>(
  start: () => Promise<T>,
): [(deps: object, use: Use<T>) => Promise<void>, { scope: "file" }] {
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  const fixture = async ({}, use: Use<T>) => {
    const srv = await start();
    await use(srv);
    await srv.stop();
  };
  return [fixture, { scope: "file" }];
}

/** A file-scoped value a file may override (a server's options). */
function fileValue<T>(value: T): [(deps: object, use: Use<T>) => Promise<void>, { scope: "file" }] {
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  return [async ({}, use: Use<T>) => use(value), { scope: "file" }];
}

export const test = base.extend<{ $file: FileFixtures; $test: TestFixtures }>({
  redis: fileServer(() => startRedis()),
  sshd: fileServer(() => startSshd()),
  runbookSshd: fileServer(() => startRunbookSshd()),
  ngircdOptions: fileValue<NgircdOptions>({}),
  ircWorldOptions: fileValue<IrcWorldOptions>({}),
  ircWorld: [
    async ({ ngircdOptions, ircWorldOptions }, use) => {
      const world = await IrcWorld.start(ngircdOptions, ircWorldOptions);
      await use(world);
      await world.stop();
    },
    { scope: "file" },
  ],
  ngircd: [async ({ ircWorld }, use) => use(ircWorld.ngircd), { scope: "file" }],
  accountsOptions: fileValue<FileFixtures["accountsOptions"]>({}),
  accounts: [
    async ({ accountsOptions }, use) => {
      const net = await startAccountsNetwork(accountsOptions);
      await use(net);
      await net.stop();
    },
    { scope: "file" },
  ],
  prefix: async ({ redis }, use) => {
    const prefix = newPrefix();
    await use(prefix);
    await deleteKeys(redis.url, prefix);
  },
  bot: async ({ redis, prefix }: { redis: RedisServer; prefix: string }, use: Use<StartBot>) => {
    const started: TestBot[] = [];
    await use(async (o = {}) => {
      const t = await startTestBot({ redisUrl: redis.url, prefix, ...o });
      started.push(t);
      return t;
    });
    // Bot.stop() is idempotent: a test may stop its bot itself (a restart test does).
    await Promise.all(started.map((t) => t.stop()));
  },
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  sentinelCluster: async ({}, use: Use<SentinelCluster>) => {
    const cluster = await startSentinelCluster();
    await use(cluster);
    await cluster.stop();
  },
  ircUser: async ({ ircWorld }: { ircWorld: IrcWorld }, use: Use<TestFixtures["ircUser"]>) => {
    await use((nick, username) => ircWorld.user(nick, username));
    await ircWorld.endTest();
  },
  ircBot: async (
    { redis, prefix, ircWorld }: { redis: RedisServer; prefix: string; ircWorld: IrcWorld },
    use: Use<TestFixtures["ircBot"]>,
  ) => {
    await use((o) => ircWorld.bot(redis.url, prefix, o));
    await ircWorld.endTest();
  },
});

export { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from "vitest";
