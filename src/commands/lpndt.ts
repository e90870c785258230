import { z } from "zod";
import { jobRequest } from "../domain/job-kinds.js";
import { checkService, lockFor, settings, VERBS, type Verb, where } from "../domain/lpndt.js";
import { type Command, command } from "./types.js";

/**
 * `!lpndt service-stop|service-start <service>` (seed 000): runs
 * `lpndt <verb> <service>` as the configured user on the configured host. The
 * service must be on the allow-list; anything that looks like shell syntax is
 * refused before a job exists. One lpndt at a time per host: a second one waits
 * behind the running one, in the order asked.
 */
function lpndtCommand(verb: Verb): Command {
  const usage = `!lpndt ${verb} <service>`;
  return command<string[]>({
    family: "lpndt",
    name: verb,
    usage,
    summary: `run lpndt ${verb} <service> on the configured host`,
    example: `!lpndt ${verb} cron-fdt`,
    args: z.array(z.string()),
    roles: ["engineer", "losa"],
    async run(ctx) {
      const cfg = settings(ctx.services);
      const service = checkService(cfg, ctx.args, ctx.msg.text, usage);
      const busy = await lockFor(ctx.services, cfg.host).holder();
      const summary = `lpndt ${verb} ${service}`;
      await ctx.enqueue(
        jobRequest(
          "lpndt",
          { verb, service, idempotent: cfg.idempotent },
          {
            summary,
            ack: (rec) =>
              `queued #${rec.id}: ${summary} on ${where(cfg)}${busy ? ` — waits for #${busy.id} (${busy.summary}), which is running there now` : ""}`,
          },
        ),
      );
    },
  });
}

export const lpndtCommands: Command[] = VERBS.map(lpndtCommand);
