import { loopIterationHandler } from "../domain/runbook/loops.js";
import { runbookStepHandler } from "../jobs/runbook-step.js";
import type { JobHandler } from "../jobs/runner.js";

/** The !migrate family and the job handlers its runs use. */
export { migrateCommands } from "./migrate.js";
export const runbookHandlers: JobHandler[] = [runbookStepHandler, loopIterationHandler];
