import { loopIterationHandler } from "../jobs/runbook/loops.js";
import { runbookStepHandler } from "../jobs/runbook/steps.js";
import type { JobHandler } from "../jobs/runner.js";

/** The !migrate family and the job handlers its runs use. */
export { migrateCommands } from "./migrate.js";
export const runbookHandlers: JobHandler[] = [runbookStepHandler, loopIterationHandler];
