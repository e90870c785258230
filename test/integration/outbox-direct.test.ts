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
 * The outbox's direct path (a plain reply handed straight to the connected
 * adapter of this process, a delayed backup job beside it) against a real
 * redis-server, with a MemoryAdapter whose sends can be held to make them long.
 */
const NET = "net";
const log = silentLogger();
const line = (text: string): OutboundMessage => toChannel(NET, "#ops", text, { kind: "reply" });

/** A MemoryAdapter whose sends can be held (a long, paced send) until released. */
class SlowAdapter extends MemoryAdapter {
  readonly started: string[] = [];
  /** Called as soon as a message is out, before whoever sent it carries on. */
  afterSend?: (msg: OutboundMessage) => void;
  private gate?: { held: Promise<void>; open: () => void };
  constructor() {
    super(NET, 390, ["#ops"]);
  }
  hold(): void {
    let open!: () => void;
    const held = new Promise<void>((r) => {
      open = r;
    });
    this.gate = { held, open };
  }
  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }
  override async send(msg: OutboundMessage): Promise<SentRef> {
    this.started.push(msg.text);
    if (this.gate) await this.gate.held;
    const ref = await super.send(msg);
    this.afterSend?.(msg);
    return ref;
  }
}

/** One bot process's share of the outbox: its queues, its Outbox and, if it owns the network, its worker. */
function processOf(redisUrl: string, prefix: string, adapter?: MemoryAdapter) {
  const queues = new Queues({ redisUrl, prefix });
  const redis = new Redis(redisUrl);
  const outbox = new Outbox(queues, new Set([NET]), log);
  const worker = adapter ? startOutboxWorker({ adapter, queues, redis, prefix, log }) : undefined;
  const queue = queues.get(outboxQueueName(NET));
  let closed = false;
  return {
    outbox,
    queue,
    worker,
    /** Texts of the jobs the queue has completed (a direct send leaves none: its backup is removed). */
    async completedTexts(): Promise<string[]> {
      return (await queue.getCompleted()).map((j) => (j.data as OutboundMessage).text);
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker?.close();
      await queues.close();
      redis.disconnect();
    },
  };
}

describe("the outbox's direct path", () => {
  test("a direct reply and queued messages arrive in the order they were said", async ({ redis, prefix }) => {
    const adapter = new SlowAdapter();
    const p = processOf(redis.url, prefix, adapter);
    const kv = new Redis(redis.url);
    try {
      // Announcements (each with its id, as the announcer sends them) said while the network was down.
      adapter.setConnected(false);
      for (const n of [1, 2, 3]) await p.outbox.send(line(`announce ${n}`), `ann-${n}`, 60_000);
      // Once the first is out, Redis holds writes a while: the worker is between two announcements,
      // its lane free, the next not yet taken. A reply said then must still wait for them.
      await kv.ping(); // connected before it is needed
      let paused: Promise<unknown> | undefined;
      adapter.afterSend = (m) => {
        if (m.text === "announce 1") paused = kv.call("CLIENT", "PAUSE", "300", "WRITE");
      };
      adapter.setConnected(true);
      await adapter.waitFor((m) => m.text === "announce 1");
      await new Promise((r) => setImmediate(r));
      await p.outbox.send(line("reply 1"));
      await adapter.waitFor((m) => m.text === "reply 1");
      expect(await paused).toBe("OK");
      adapter.afterSend = undefined;
      expect(adapter.texts()).toEqual(["announce 1", "announce 2", "announce 3", "reply 1"]);
      adapter.sent.length = 0;

      // The same with plain messages queued while the network was down.
      adapter.setConnected(false);
      await p.outbox.send(line("queued 1"));
      await p.outbox.send(line("queued 2"));
      adapter.setConnected(true);
      await adapter.waitFor((m) => m.text === "queued 1");
      await p.outbox.send(line("reply 2"));
      await adapter.waitFor((m) => m.text === "reply 2");
      expect(adapter.texts()).toEqual(["queued 1", "queued 2", "reply 2"]);

      // Nothing waits now: a reply goes direct; held long, what is said meanwhile waits behind it.
      await eventually(async () => (await p.outbox.pending(NET)) === 0, "the queue to be empty");
      adapter.hold();
      await p.outbox.send(line("direct"));
      expect(adapter.started.at(-1)).toBe("direct");
      await p.outbox.send(line("after direct"));
      await p.outbox.send(line("announce 6"), "ann-6", 60_000);
      adapter.release();
      await adapter.waitFor((m) => m.text === "announce 6");
      expect(adapter.texts().slice(3)).toEqual(["direct", "after direct", "announce 6"]);
      // The plain ones waited behind each other on the lane and left no job behind (their
      // backups were removed); the announcement (an id to keep) went through the queue.
      await eventually(async () => (await p.outbox.pending(NET)) === 0, "the backups to be removed");
      const done = await p.completedTexts();
      expect(done).not.toContain("direct");
      expect(done).not.toContain("after direct");
      expect(done).toContain("announce 6");
    } finally {
      kv.disconnect();
      await p.close();
    }
  });

  test("a backup that falls due during a long send is not posted a second time", async ({
    redis,
    prefix,
  }) => {
    const adapter = new SlowAdapter();
    const p = processOf(redis.url, prefix, adapter);
    try {
      adapter.hold();
      await p.outbox.send(line("long reply"));
      expect(adapter.started).toEqual(["long reply"]);
      // The send outlasts the backup's delay: it falls due and the worker takes it.
      const [backup] = await eventually(async () => {
        const d = await p.queue.getDelayed();
        return d.length === 1 && d;
      }, "the backup job");
      await backup!.promote();
      await eventually(
        async () => (await p.queue.getJobCounts("active")).active === 1,
        "the worker to take the backup",
      );
      adapter.release();
      await adapter.waitFor((m) => m.text === "long reply");
      await eventually(async () => (await p.outbox.pending(NET)) === 0, "the backup to be settled");
      // Something said after it comes out after it, and the long reply only once.
      await p.outbox.send(line("next"));
      await adapter.waitFor((m) => m.text === "next");
      expect(adapter.texts()).toEqual(["long reply", "next"]);
      expect(await p.queue.getJobState(backup!.id!)).toBe("completed");
    } finally {
      adapter.release();
      await p.close();
    }
  });

  test("a stop during a direct send leaves its backup queued; the next worker delivers it", async ({
    redis,
    prefix,
  }) => {
    const stuck = new SlowAdapter();
    const first = processOf(redis.url, prefix, stuck);
    const up = new MemoryAdapter(NET, 390, ["#ops"]);
    let second: ReturnType<typeof processOf> | undefined;
    try {
      stuck.hold();
      await first.outbox.send(line("said before the stop"));
      expect(stuck.started).toEqual(["said before the stop"]);
      await first.worker!.close(); // the send never finishes
      expect(stuck.texts()).toEqual([]);
      // Due now, not in a minute: waiting in the queue for whichever process drains it next.
      expect(await first.queue.getJobCounts("wait", "delayed")).toEqual({ wait: 1, delayed: 0 });
      await first.close();

      second = processOf(redis.url, prefix, up);
      await up.waitFor((m) => m.text === "said before the stop");
      await eventually(async () => (await second!.outbox.pending(NET)) === 0, "the queue to be empty");
      expect(up.texts()).toEqual(["said before the stop"]);
    } finally {
      stuck.release();
      await first.close();
      await second?.close();
    }
  });

  test("a job's ack and result go direct where the network has no threads; where it has, their ids are kept", async ({
    redis,
    prefix,
  }) => {
    const kv = new Redis(redis.url);
    const refs = async () => (await kv.keys(`${prefix}:ref:*`)).sort();
    const ack = { ...line("queued #7: ping"), ref: "j7" };
    const result = { ...line("#7 done: pong"), threadOf: "j7" };
    // A network with threads (Slack): the ack's id is kept, the result is threaded under it.
    const threaded = new MemoryAdapter(NET, 390, ["#ops"]);
    const a = processOf(redis.url, prefix, threaded);
    try {
      await a.outbox.send(ack);
      await a.outbox.send(result);
      await threaded.waitFor((m) => m.text === "#7 done: pong");
      expect(threaded.sent.at(-1)?.threadId).toBe("m1");
      expect(await refs()).toEqual([`${prefix}:ref:${NET}:j7`]);
      expect((await a.completedTexts()).sort()).toEqual(["#7 done: pong", "queued #7: ping"]);
    } finally {
      await a.close();
    }
    await kv.del(...(await refs()));
    // A network without threads (IRC, the console): both go direct, no job and no id left in Redis.
    const plain = new (class extends MemoryAdapter {
      readonly threads = false;
    })(NET, 390, ["#ops"]);
    const b = processOf(redis.url, `${prefix}-plain`, plain);
    try {
      await b.outbox.send(ack);
      await b.outbox.send(result);
      await plain.waitFor((m) => m.text === "#7 done: pong");
      expect(plain.texts()).toEqual(["queued #7: ping", "#7 done: pong"]);
      await eventually(async () => (await b.outbox.pending(NET)) === 0, "the backups to be removed");
      expect(await b.completedTexts()).toEqual([]);
      expect(await kv.keys(`${prefix}-plain:ref:*`)).toEqual([]);
    } finally {
      kv.disconnect();
      await b.close();
    }
  });

  test("a process that does not own the network queues its message for the owner", async ({
    redis,
    prefix,
  }) => {
    const adapter = new MemoryAdapter(NET, 390, ["#ops"]);
    const owner = processOf(redis.url, prefix, adapter);
    const other = processOf(redis.url, prefix);
    try {
      await owner.outbox.send(line("from the owner"));
      await adapter.waitFor((m) => m.text === "from the owner");
      await other.outbox.send(line("from another process"));
      await adapter.waitFor((m) => m.text === "from another process");
      await eventually(async () => (await owner.outbox.pending(NET)) === 0, "the queue to be empty");
      // The owner's went direct (no job left); the other's was a queued job the owner's worker completed.
      const done = await owner.completedTexts();
      expect(done).toEqual(["from another process"]);
      expect(adapter.texts()).toEqual(["from the owner", "from another process"]);
    } finally {
      await other.close();
      await owner.close();
    }
  });
});
