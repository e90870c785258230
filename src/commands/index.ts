import { builtinStepKinds } from "../domain/runbook/kinds/index.js";
import type { StepKinds } from "../domain/runbook/kinds/types.js";
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

/** Every command family, in the order !help lists them; `!migrate` for these runbook step kinds. */
export const commandsFor = (kinds: StepKinds): readonly Command[] => [
  ...helpCommands,
  ...jobCommands,
  ...topicCommands,
  ...rcModeCommands,
  ...lpndtCommands,
  ...downtimeCommands,
  ...dbBudgetCommands,
  ...migrateCommands(kinds),
  ...webCommands,
];

/** Every command, for a bot with the built-in step kinds. */
export const allCommands: readonly Command[] = commandsFor(builtinStepKinds);
