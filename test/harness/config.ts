import { randomBytes } from "node:crypto";

/**
 * The one config builder of the tests: a console network, roles for its users,
 * a key prefix and short job locks, in the shape of changebot.yaml. In-process
 * bots parse it (test/harness/bot.ts); child bots read it from a file
 * (test/harness/child.ts writeConfig).
 */
export interface TestConfig {
  /** Key prefix; default a fresh random one. */
  prefix?: string;
  /** The console user; default "tester". */
  user?: string;
  /** The console network's channel; none unless given. */
  channel?: string;
  /** Role → users; a bare name is a console user. Default: the user holds admin. */
  roles?: Record<string, string[]>;
  /** The Redis URL, for a config a child bot reads. */
  redis?: string;
  /** Replaces the default short locks ({ lockMs: 2000, stalledCheckMs: 1000 }). */
  jobs?: Record<string, unknown>;
  /** Any other key of changebot.yaml (announce, hosts, runbooks, networks, …), as written there. */
  [key: string]: unknown;
}

export const newPrefix = (tag = "t") => `${tag}${randomBytes(4).toString("hex")}`;

export function testConfig(o: TestConfig = {}): Record<string, unknown> {
  const { prefix, user = "tester", channel, roles, redis, jobs, ...rest } = o;
  const qualify = (u: string) => (u.includes(":") ? u : `console:${u}`);
  return {
    ...(redis ? { redis } : {}),
    keyPrefix: prefix ?? newPrefix(),
    networks: { console: channel ? { user, channel } : { user } },
    roles: Object.fromEntries(
      Object.entries(roles ?? { admin: [user] }).map(([r, us]) => [r, us.map(qualify)]),
    ),
    jobs: jobs ?? { lockMs: 2000, stalledCheckMs: 1000 },
    ...rest,
  };
}

export const SHIPPED_RUNBOOKS = new URL("../../runbooks", import.meta.url).pathname;
/** The `hosts:` entries the shipped runbooks expect (docs/runbooks.md). */
export const SHIPPED_HOSTS = [
  "juju",
  "librarian-new",
  "bastion",
  "apphost",
  "ofn-old",
  "ofn-new",
  "copr-old",
  "copr-new",
  "devpad",
] as const;
/** A `hosts:` map giving every shipped host the same entry. */
export const shippedHosts = (entry: Record<string, unknown>) =>
  Object.fromEntries(SHIPPED_HOSTS.map((h) => [h, entry]));
