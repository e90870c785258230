import { downtimes } from "../../announce/lifecycle.js";
import { LINK_PARAM, type Runbook } from "../../config/runbook.js";
import { UserError } from "../../core/errors.js";
import type { Services } from "../services.js";
import { runBoundTo } from "./state.js";

/**
 * Binding a run's downtime markers to a scheduled downtime: `!migrate start
 * launchpad-db-deployment downtime=3`. Checked before the run starts: the
 * runbook has a downtime-start marker, downtime #3 exists, is scheduled, and
 * no other active run is bound to it.
 */

/** Takes `downtime=` out of the given key=value words; the number it names, checked, or undefined. */
export async function downtimeLink(
  s: Services,
  rb: Runbook,
  given: Record<string, string>,
): Promise<{ params: Record<string, string>; downtime?: number }> {
  const { [LINK_PARAM]: value, ...params } = given;
  if (value === undefined) return { params };
  const refuse = (why: string) => {
    throw new UserError(`Cannot start ${rb.id} with downtime=${value}: ${why}`);
  };
  const m = /^#?(\d{1,9})$/.exec(value);
  if (!m) refuse("expected the number of a scheduled downtime (see !downtime list)");
  const id = Number(m![1]);
  if (!rb.steps.some((x) => x.kind === "downtime-start"))
    refuse(`${rb.id} has no downtime-start step to bind it to.`);
  const d = await downtimes(s).get(id);
  if (!d) refuse(`there is no downtime #${id}; see !downtime list.`);
  if (d!.status !== "scheduled" || d!.needsWindow)
    refuse(
      `downtime #${id} is ${d!.needsWindow ? "waiting for a new window" : d!.status}; only a scheduled downtime can be bound.`,
    );
  const other = await runBoundTo(s, id);
  if (other) refuse(`run #${other.seq} of ${other.runbook} is already bound to downtime #${id}.`);
  return { params, downtime: id };
}
