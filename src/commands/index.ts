import { dbBudgetCommands } from "./db-budget.js";
import { downtimeCommands } from "./downtime.js";
import { helpCommands } from "./help.js";
import { jobCommands } from "./jobs.js";
import { lpndtCommands } from "./lpndt.js";
import { migrateCommands } from "./migrate.js";
import { rcModeCommands } from "./rc-mode.js";
import { topicCommands } from "./topic.js";
import type { Command } from "./types.js";
import { webCommands } from "./web.js";

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
  ...webCommands,
];
