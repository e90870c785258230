import { runbooksOf } from "../../src/config/runbook-load.js";
import { ManualClock } from "../../src/core/clock.js";
import { getRun, runKey } from "../../src/domain/runbook/state.js";
import { SHIPPED_RUNBOOKS, shippedHosts } from "./config.js";
import type { StartBot } from "./fixtures.js";
import { ask, CREW_ROLES, type Driver } from "./runbook-driver.js";
import type { Sshd } from "./sshd.js";

/**
 * A bot with the shipped runbooks, every host they name on `sshd`, the crew's
 * roles and `extra` config (e.g. `lpndt:`), on a hand-moved clock; with the
 * helpers a test of one runbook's steps needs.
 */
export async function bootShipped(start: StartBot, sshd: Sshd, extra: Record<string, unknown> = {}) {
  const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
  const t = await start({
    clock,
    roles: CREW_ROLES,
    config: { runbooks: SHIPPED_RUNBOOKS, hosts: shippedHosts(sshd.hostEntry()), ...extra },
  });
  sshd.clearCalls();
  const d: Driver = { services: t.services, adapter: t.adapter, clock };
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
