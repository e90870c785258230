import { describe, expect, it } from "vitest";
import { createRedisTrouble } from "../../../src/infra/redis-trouble.js";
import { capturingLogger } from "../../harness/log.js";

describe("reporting a Redis that stays away", () => {
  it("warns at once, then at most once per doubling backoff with the count in between", () => {
    const cap = capturingLogger();
    let now = 0;
    const trouble = createRedisTrouble(cap.log, () => now);
    // Five connections failing every 200 ms for two minutes.
    for (; now < 120_000; now += 200)
      for (const where of ["redis", "work queue", "outbox console", "webhook queue", "announcement queue"])
        trouble.report(where, new Error("connect ECONNREFUSED 127.0.0.1:6390"));
    const warned = cap.lines.filter((l) => l.msg === "redis connection problem");
    // at 0, then 5 s, 15 s, 35 s, 75 s later (backoff 5, 10, 20, 40, 60 s)
    expect(warned.map((l) => l.forMs ?? 0)).toEqual([0, 5_000, 15_000, 35_000, 75_000]);
    expect(warned[1]).toMatchObject({ err: "connect ECONNREFUSED 127.0.0.1:6390", repeated: 124 });

    trouble.restored();
    expect(cap.lines.at(-1)).toMatchObject({ msg: "redis connection restored", downMs: 120_000 });
    // A new outage is reported at once again.
    trouble.report("redis", "Connection is closed.");
    expect(cap.lines.at(-1)).toMatchObject({ msg: "redis connection problem", err: "Connection is closed." });
  });
});
