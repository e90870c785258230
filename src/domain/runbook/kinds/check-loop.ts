import type { PerformContext } from "./types.js";

/**
 * A check on a loop (seed 000: the switch waits until the rsync loop has caught
 * up): it passes once an iteration that began after the check began has ended
 * well. An iteration already running when the check began does not count: it
 * may have read the source before the services stopped.
 */
export interface LoopMark {
  /** Iterations that had begun when the check began. */
  begun: number;
  /** Failures counted once those had ended (undefined while one is still running). */
  failures?: number;
}

/** A line saying how the loop stands, and whether it has caught up since `mark`. */
export async function loopCaughtUp(
  ctx: PerformContext,
  name: string,
  mark: LoopMark | undefined,
): Promise<{ mark: LoopMark; ok: boolean; line: string }> {
  const loop = await ctx.update((r) => {
    const l = r.loops[name];
    return l && { ...l };
  });
  if (!loop) return { mark: mark ?? { begun: 0 }, ok: false, line: `loop "${name}" is not running` };
  const m: LoopMark = mark ?? { begun: loop.iterations + (loop.inFlight !== undefined ? 1 : 0) };
  if (m.failures === undefined && loop.iterations >= m.begun) m.failures = loop.failures;
  const since = loop.iterations - m.begun;
  const good = m.failures === undefined ? 0 : since - (loop.failures - m.failures);
  if (good > 0)
    return { mark: m, ok: true, line: `loop "${name}" caught up: iteration ${loop.iterations} ended well` };
  if (loop.stopped) return { mark: m, ok: false, line: `loop "${name}" was stopped before it caught up` };
  return {
    mark: m,
    ok: false,
    line: `loop "${name}": waiting for an iteration that begins after iteration ${m.begun} (${loop.iterations} ended${loop.last ? `, last: ${loop.last}` : ""})`,
  };
}
