import { HandlerRegistry } from "../jobs/runner.js";
import { dbBudgetCommands, dbBudgetHandler } from "./db-budget.js";
import { downtimeCommands } from "./downtime.js";
import { helpCommands } from "./help.js";
import { jobCommands, pingHandler } from "./jobs.js";
import { lpndtCommands, lpndtHandler } from "./lpndt.js";
import { migrateCommands, runbookHandlers } from "./migrate-handlers.js";
import { rcModeCommands, rcModeHandler } from "./rc-mode.js";
import { topicCommands } from "./topic.js";
import type { Command } from "./types.js";

/** Every command family, in the order !help lists them. */
export const allCommands: readonly Command[] = [
  ...helpCommands,
  ...jobCommands,
  ...topicCommands,
  ...rcModeCommands,
  ...lpndtCommands,
  ...downtimeCommands,
  ...dbBudgetCommands,
  ...migrateCommands,
];

/** Every job handler a worker can run. */
export function buildHandlers(): HandlerRegistry {
  return new HandlerRegistry().add(
    pingHandler,
    rcModeHandler,
    lpndtHandler,
    dbBudgetHandler,
    ...runbookHandlers,
  );
}
