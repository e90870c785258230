import { describe, expect, it } from "vitest";
import { MemoryAdapter } from "../../../src/bot/memory.js";
import { Lane } from "../../../src/infra/outbox-lane.js";

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
