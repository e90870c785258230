import { aroundAll } from "vitest";
import { endAllTracked } from "./processes.js";

/**
 * After each test file, once its afterAll hooks have run and its file-scoped
 * fixtures (test/harness/fixtures.ts) have stopped their servers: a server or
 * bot the file started and never stopped fails the file, naming it, and is killed.
 */
aroundAll(async (runFile) => {
  await runFile();
  const left = await endAllTracked();
  if (left.length > 0)
    throw new Error(
      `left running by this file (now killed):\n${left.map((l) => `  pid ${l.pid}: ${l.cmd} (started by ${l.test})`).join("\n")}`,
    );
});
