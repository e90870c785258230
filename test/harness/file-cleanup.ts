import { afterAll } from "vitest";
import { endAllTracked } from "./processes.js";

/**
 * After each test file (its own afterAll hooks have run by now): a server or
 * bot the file started and never stopped fails the file, naming it, and is killed.
 */
afterAll(async () => {
  const left = await endAllTracked();
  if (left.length > 0)
    throw new Error(
      `left running by this file (now killed):\n${left.map((l) => `  pid ${l.pid}: ${l.cmd} (started by ${l.test})`).join("\n")}`,
    );
});
