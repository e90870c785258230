import { Redis } from "ioredis";
import { MemoryAdapter } from "../../src/bot/memory.js";
import { silentLogger } from "../../src/core/log.js";
import type { OutboundMessage, SentRef } from "../../src/core/messages.js";
import { toChannel } from "../../src/core/outbound.js";
import { Outbox, startOutboxWorker } from "../../src/infra/outbox.js";
import { outboxQueueName, Queues } from "../../src/infra/queues.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";

/**
 * A short reply on the direct path is out before its backup's turn comes: it
 * waits on no Redis write, nor does the reply after it, and it leaves no backup
 * to write and remove. A reply still going out then is backed up as before
 * (outbox-direct.test.ts). Shown with Redis refusing writes (CLIENT PAUSE).
 */
const NET = "net";
const log = silentLogger();
const line = (text: string): OutboundMessage => toChannel(NET, "#ops", text, { kind: "reply" });

/** A MemoryAdapter whose sends can be held until released. */
class HeldAdapter extends MemoryAdapter {
  private gate?: Promise<void>;
  private open?: () => void;
  constructor() {
    super(NET, 390, ["#ops"]);
  }
  hold(): void {
    this.gate = new Promise<void>((r) => {
      this.open = r;
    });
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }
  override async send(msg: OutboundMessage): Promise<SentRef> {
    if (this.gate) await this.gate;
    return super.send(msg);
  }
}

describe("the outbox's direct path, short replies", () => {
  test("replies out at once neither wait for Redis nor leave a backup; a held one is backed up", async ({
    redis,
    prefix,
  }) => {
    const adapter = new HeldAdapter();
    const queues = new Queues({ redisUrl: redis.url, prefix });
    const kv = new Redis(redis.url);
    const admin = new Redis(redis.url);
    const worker = startOutboxWorker({ adapter, queues, redis: kv, prefix, log });
    const outbox = new Outbox(queues, new Set([NET]), log);
    const queue = queues.get(outboxQueueName(NET));
    try {
      await queue.waitUntilReady();
      await admin.ping();
      // Redis takes no writes for a minute (ended below): nothing can be queued or backed up.
      expect(await admin.call("CLIENT", "PAUSE", "60000", "WRITE")).toBe("OK");
      await outbox.send(line("first"));
      await outbox.send(line("second"));
      expect(adapter.texts()).toEqual(["first", "second"]);

      // A reply that is not out when its backup's turn comes waits for its backup.
      adapter.hold();
      let durable = false;
      const held = outbox.send(line("held")).then(() => {
        durable = true;
      });
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(durable).toBe(false);
      expect(await admin.call("CLIENT", "UNPAUSE")).toBe("OK");
      await held;
      expect(await queue.getDelayedCount()).toBe(1);
      adapter.release();
      await adapter.waitFor((m) => m.text === "held");
      await eventually(
        async () => (await outbox.pending(NET)) === 0,
        "the held reply's backup to be removed",
      );
      await outbox.drained(NET);
      // Only the held reply ever had a job (written, then removed); the two short ones none.
      expect(await queue.getJobCounts("completed", "failed", "delayed", "wait")).toEqual({
        completed: 0,
        failed: 0,
        delayed: 0,
        wait: 0,
      });
      expect(adapter.texts()).toEqual(["first", "second", "held"]);
    } finally {
      await admin.call("CLIENT", "UNPAUSE").catch(() => {});
      adapter.release();
      await worker.close();
      await queues.close();
      kv.disconnect();
      admin.disconnect();
    }
  });
});
