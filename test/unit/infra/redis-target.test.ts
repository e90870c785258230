import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { describeRedis, parseAddress, redisOptions } from "../../../src/infra/redis-target.js";

describe("the Redis a config names", () => {
  it("turns a Sentinel form into ioredis's Sentinel options, with BullMQ's retry setting", () => {
    const config = parseConfig({
      redis: {
        sentinels: ["10.0.0.5:26379", "sentinel-b.example:26380", "[::1]:26381"],
        name: "changebot",
        password: "pw-primary",
        sentinelPassword: "pw-sentinel",
        db: 2,
      },
    });
    const r = config.redis;
    if (typeof r !== "object") throw new Error("expected the Sentinel form");
    expect(r.replicaWaitMs).toBe(500);
    expect(redisOptions(r)).toMatchObject({
      sentinels: [
        { host: "10.0.0.5", port: 26379 },
        { host: "sentinel-b.example", port: 26380 },
        { host: "::1", port: 26381 },
      ],
      name: "changebot",
      role: "master",
      password: "pw-primary",
      sentinelPassword: "pw-sentinel",
      db: 2,
      maxRetriesPerRequest: null,
      failoverDetector: true,
    });
    expect(describeRedis(r)).toBe(
      'sentinel primary "changebot" via 10.0.0.5:26379,sentinel-b.example:26380,[::1]:26381',
    );
  });

  it("keeps URLs as they were, and never shows a password", () => {
    expect(redisOptions("redis://u:p%40ss@10.0.0.9:6390/3")).toMatchObject({
      host: "10.0.0.9",
      port: 6390,
      username: "u",
      password: "p@ss",
      db: 3,
      maxRetriesPerRequest: null,
    });
    expect(describeRedis("redis://u:secret@10.0.0.9:6390")).toBe("redis://u:***@10.0.0.9:6390");
    expect(parseAddress("[fe80::1]:26379")).toEqual({ host: "fe80::1", port: 26379 });
  });

  it("refuses a Sentinel form without a name or with an address that is not host:port", () => {
    expect(() => parseConfig({ redis: { sentinels: ["10.0.0.5:26379"] } })).toThrow(/redis\.name/);
    expect(() => parseConfig({ redis: { sentinels: [], name: "x" } })).toThrow(/at least one sentinel/);
    expect(() => parseConfig({ redis: { sentinels: ["10.0.0.5:26379 "], name: "x" } })).toThrow(
      /expected "host:port"/,
    );
    expect(() => parseConfig({ redis: "http://x" })).toThrow(/redis:\/\/ or rediss:\/\/ URL/);
  });
});
