import type { StepKinds } from "../domain/runbook/kinds/types.js";
import { dbBudgetHandler } from "./db-budget.js";
import { lpndtHandler } from "./lpndt.js";
import { pingHandler } from "./ping.js";
import { rcModeHandler } from "./rc-mode.js";
import { runbookLoopHandler } from "./runbook-loop.js";
import { runbookStepHandler } from "./runbook-step.js";
import { HandlerRegistry } from "./runner.js";

/** Every job handler a worker can run: one per kind of domain/job-kinds.ts; the runbook ones do these step kinds. */
export function buildHandlers(kinds: StepKinds): HandlerRegistry {
  return new HandlerRegistry({
    ping: pingHandler,
    lpndt: lpndtHandler,
    "rc-mode": rcModeHandler,
    "db-budget": dbBudgetHandler,
    "runbook-step": runbookStepHandler(kinds),
    "runbook-loop": runbookLoopHandler(kinds),
  });
}
