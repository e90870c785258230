import { runbooksOf } from "../../src/config/runbook-load.js";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
import type { StartBot } from "./fixtures.js";
import { ask, startRunbookBot } from "./runbook-driver.js";
import type { Sshd } from "./sshd.js";

/**
 * startRunbookBot's bot, with the helpers a test of one runbook's steps needs.
 */
export async function bootShipped(start: StartBot, sshd: Sshd, extra: Record<string, unknown> = {}) {
  const t = await startRunbookBot(start, sshd, extra);
  const { clock } = t;
  sshd.clearCalls();
  const d = t.driver;
  const run = (id: string) => getRun(t.services, runKey(t.services, "console", "console", id));
  const reply = (text: string, user: string, re: RegExp) =>
    ask(t.adapter, text, user, (m) => re.test(m.text));
  /** The run's record of the step with this id. */
  const step = async (id: string, stepId: string) => {
    const i = runbooksOf(t.services.config)
      .runbooks.get(id)!
      .steps.findIndex((s) => s.id === stepId);
    return (await run(id))!.steps[i]!;
  };
  return { t, d, clock, run, reply, step };
}
