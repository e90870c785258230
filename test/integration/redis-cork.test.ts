import { Redis } from "ioredis";
import { describe, expect } from "vitest";
import { coalesceWrites } from "../../src/infra/redis-cork.js";
import { eventually } from "../harness/eventually.js";
import { test } from "../harness/fixtures.js";

/** How many times redis-server has read from its clients' sockets so far. */
async function readsSoFar(admin: Redis): Promise<number> {
  return Number(/total_reads_processed:(\d+)/.exec(await admin.info("stats"))![1]);
}

describe("the commands of one turn of the event loop, on a real redis-server", () => {
  test("reach the server in one write, in order, each with its own reply, and again after a reconnect", async ({
    redis,
  }) => {
    const admin = new Redis(redis.url);
    const client = coalesceWrites(new Redis(redis.url, { connectionName: "corked" }));
    try {
      const burst = async (tag: string) => {
        const before = await readsSoFar(admin);
        // 200 commands issued in one turn: a SET, then INCRs that must see it, then a GET.
        const replies = await Promise.all([
          client.set(`k-${tag}`, "100"),
          ...Array.from({ length: 198 }, () => client.incr(`k-${tag}`)),
          client.get(`k-${tag}`),
        ]);
        // This INFO is one read of its own; the burst took at most two more (one write of ~6 kB).
        const reads = (await readsSoFar(admin)) - before - 1;
        expect(replies[0]).toBe("OK");
        expect(replies.slice(1, 199)).toEqual(Array.from({ length: 198 }, (_, i) => 101 + i));
        expect(replies[199]).toBe("298");
        return reads;
      };
      await client.ping();
      expect(await burst("a")).toBeLessThanOrEqual(2);

      // The server drops the connection; ioredis reconnects on a new socket, coalesced too.
      await admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      await eventually(
        async () => client.status === "ready" && (await client.ping()) === "PONG",
        "a reconnect",
      );
      expect(await burst("b")).toBeLessThanOrEqual(2);
    } finally {
      client.disconnect();
      admin.disconnect();
    }
  });
});
