import { describe, expect, it } from "vitest";
import { eventually, giveUp } from "../../harness/eventually.js";

describe("eventually()", () => {
  it("resolves with the first value that is not false, null or undefined", async () => {
    let n = 0;
    const v = await eventually(() => (++n >= 3 ? { n } : undefined), { intervalMs: 1 });
    expect(v).toEqual({ n: 3 });
  });

  it("retries a failed assertion until it holds", async () => {
    let n = 0;
    await eventually(
      () => {
        n++;
        expect(n).toBe(4);
        return true;
      },
      { intervalMs: 1 },
    );
    expect(n).toBe(4);
  });

  it("fails naming what it waited for and how the last try failed", async () => {
    await expect(
      eventually(() => expect("idle").toBe("done"), { what: "the job", timeoutMs: 30, intervalMs: 1 }),
    ).rejects.toThrow(/timed out after 30 ms waiting for the job; last try: expected 'idle' to be 'done'/);
    await expect(eventually(() => false, { timeoutMs: 10, intervalMs: 1 })).rejects.toThrow(
      /waiting for a condition; last try: it was false/,
    );
  });

  it("stops at once on giveUp()", async () => {
    let n = 0;
    await expect(
      eventually(
        () => {
          n++;
          giveUp("step 3 failed");
        },
        { timeoutMs: 60_000 },
      ),
    ).rejects.toThrow(/^step 3 failed$/);
    expect(n).toBe(1);
  });
});
