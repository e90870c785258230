import { describe, expect, it } from "vitest";
import { MemoryAdapter } from "../../../src/bot/memory.js";
import type { OutboundMessage } from "../../../src/core/messages.js";
import { Lane, plainMessage } from "../../../src/infra/outbox-lane.js";

describe("Lane", () => {
  it("lets a burst of messages wait their turn in order without Node's listener-leak warning", async () => {
    const warnings: Error[] = [];
    const hear = (w: Error) => warnings.push(w);
    process.on("warning", hear);
    try {
      const stop = new AbortController();
      const lane = new Lane(new MemoryAdapter(), async () => "delivered", stop.signal);
      let open!: () => void;
      const gate = new Promise<void>((r) => {
        open = r;
      });
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
