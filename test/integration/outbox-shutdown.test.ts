import { MemoryAdapter } from "../../src/bot/memory.js";
import { outboxQueueName } from "../../src/infra/queues.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";

describe("a reply waiting for a disconnected network when the bot shuts down", () => {
  test("stays queued and is delivered by the next process", async ({ bot }) => {
    const down = new MemoryAdapter("console", 390, ["console"]);
    down.setConnected(false);
    const first = await bot({ adapter: down });
    await down.say("!whoami");
    const queue = first.services.queues.get(outboxQueueName("console"));
    // The outbox worker holds the reply until the network is back.
    await eventually(
      async () => (await queue.getJobCounts("active")).active === 1,
      "the reply to be held by the outbox worker",
    );
    expect((await queue.getJobCounts("active")).active).toBe(1);
    await first.stop();
    expect(down.texts()).toEqual([]);

    const up = new MemoryAdapter("console", 390, ["console"]);
    await bot({ adapter: up });
    const m = await up.waitFor((x) => /You are console:tester/.test(x.text));
    expect(m.target).toBe("console");
  });
});
