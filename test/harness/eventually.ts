/**
 * Waits for something another process or worker does: calls `fn` until it
 * returns a value that is not false, null or undefined (and does not throw),
 * and resolves with that value. It waits for work to happen, never for time to
 * pass: on timeout it fails naming what it waited for and how the last try failed.
 * A `giveUp()` thrown inside `fn` ends the wait at once (a failure that no
 * further waiting can mend).
 */
export interface EventuallyOptions {
  /** What is awaited, for the timeout message ("the step to start"). */
  what?: string;
  timeoutMs?: number;
  intervalMs?: number;
}

class GiveUp extends Error {}

/** Ends an eventually() wait at once with this error. */
export function giveUp(message: string): never {
  throw new GiveUp(message);
}

type Found<T> = Exclude<T, false | null | undefined>;

export async function eventually<T>(
  fn: () => T | Promise<T>,
  opts: EventuallyOptions | string = {},
): Promise<Found<T>> {
  const o = typeof opts === "string" ? { what: opts } : opts;
  const timeoutMs = o.timeoutMs ?? 15_000;
  const intervalMs = o.intervalMs ?? 20;
  const end = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const v = await fn();
      if (v !== false && v !== null && v !== undefined) return v as Found<T>;
      last = `it was ${String(v)}`;
    } catch (e) {
      if (e instanceof GiveUp) throw new Error(e.message);
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${o.what ?? "a condition"}; last try: ${last}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
