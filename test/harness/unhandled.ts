import { afterEach, beforeEach } from "vitest";

/**
 * Collects the unhandled promise rejections of each test of the calling
 * describe block (cleared before each): a test asserts the list stays empty.
 */
export function collectUnhandled(): unknown[] {
  const unhandled: unknown[] = [];
  const hear = (e: unknown) => unhandled.push(e);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", hear);
  });
  afterEach(() => {
    process.off("unhandledRejection", hear);
  });
  return unhandled;
}
