import { describe, expect, it } from "vitest";
import { MemoryAdapter } from "../../../src/bot/memory.js";
import type { OutboundMessage } from "../../../src/core/messages.js";
import { Lane, plainMessage } from "../../../src/infra/outbox-lane.js";

/** A promise the test resolves when it chooses (a turn held open). */
function gated(): { gate: Promise<void>; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  return { gate, open };
}

describe("Lane", () => {
  it("lets a burst of messages wait their turn in order without Node's listener-leak warning", async () => {
    const warnings: Error[] = [];
    const hear = (w: Error) => warnings.push(w);
    process.on("warning", hear);
    try {
      const stop = new AbortController();
      const lane = new Lane(new MemoryAdapter(), async () => "delivered", stop.signal);
      const { gate, open } = gated();
      const order: number[] = [];
      const first = lane.run(() => gate);
      const rest = Array.from({ length: 50 }, (_, i) =>
        lane.run(async () => {
          order.push(i);
        }),
      );
      await new Promise((r) => setImmediate(r));
      open();
      await Promise.all([first, ...rest]);
      expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", hear);
    }
  });

  it("starts a turn on a free lane in the call itself, and still keeps later turns behind it", async () => {
    const stop = new AbortController();
    const lane = new Lane(new MemoryAdapter(), async () => "delivered", stop.signal);
    const order: string[] = [];
    const { gate, open } = gated();
    const first = lane.run(async () => {
      order.push("first starts");
      await gate;
      order.push("first ends");
    });
    // No promise turn has passed: the free lane ran it at once.
    expect(order).toEqual(["first starts"]);
    const second = lane.run(async () => {
      order.push("second");
    });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["first starts"]);
    open();
    await Promise.all([first, second]);
    expect(order).toEqual(["first starts", "first ends", "second"]);
    // Free again: the next one starts at once too.
    void lane.run(async () => {
      order.push("third");
    });
    expect(order.at(-1)).toBe("third");
  });

  it("gives up turns still waiting when it stops, and a stopped lane runs nothing", async () => {
    const stop = new AbortController();
    const lane = new Lane(new MemoryAdapter(), async () => "delivered", stop.signal);
    const { gate, open } = gated();
    const ran: string[] = [];
    const first = lane.run(() => gate.then(() => "first"));
    const waiting = lane.run(async () => void ran.push("waiting"));
    stop.abort();
    expect(await waiting).toBe("stopped");
    open();
    expect(await first).toBe("first");
    expect(await lane.run(async () => void ran.push("after"))).toBe("stopped");
    expect(ran).toEqual([]);
  });
});

describe("plainMessage: what goes out without a Redis round trip", () => {
  const base: OutboundMessage = { network: "n", target: "#c", kind: "reply", text: "hi", threadId: "1.2" };
  const threaded = { threads: true };
  const flat = { threads: false };

  it("a message with no ids goes as it is, on any network", () => {
    for (const a of [threaded, flat, {}]) expect(plainMessage(a, base)).toEqual(base);
  });

  it("on a network with threads (the default), an id to keep or look up needs Redis", () => {
    for (const ids of [{ ref: "j1" }, { threadOf: "j1" }, { replaces: "j1" }]) {
      expect(plainMessage(threaded, { ...base, ...ids })).toBeUndefined();
      expect(plainMessage({}, { ...base, ...ids })).toBeUndefined();
    }
  });

  it("on a network without threads, the ids are left out and the rest goes at once", () => {
    const msg = { ...base, ref: "j1", threadOf: "j0", replaces: "j0" };
    expect(plainMessage(flat, msg)).toEqual(base);
    // The queued message itself is not changed.
    expect(msg.ref).toBe("j1");
  });
});
