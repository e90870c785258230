import { z } from "zod";
import { UserError } from "../core/errors.js";
import { jobRequest } from "../domain/job-kinds.js";
import { describeRcMode, getRcMode } from "../domain/rc-mode.js";
import { allIdempotent } from "../domain/remote-steps.js";
import { noArgs, text } from "./args.js";
import { type Command, command } from "./types.js";

function rcCommand(on: boolean): Command {
  return command<string | string[]>({
    family: "rc-mode",
    name: on ? "on" : "off",
    usage: on ? "!rc-mode on [reason]" : "!rc-mode off",
    summary: on ? `put PQM in RC mode: topic segment, announcement` : "take PQM out of RC mode",
    example: on ? "!rc-mode on db-stable 10381 merged for the downtime" : "!rc-mode off",
    args: (on ? text : noArgs) as z.ZodType<string | string[], string[]>,
    roles: ["lead"],
    async run(ctx) {
      const s = await getRcMode(ctx.services);
      if (on && s?.on) throw new UserError(describeRcMode(s, ctx.services.clock.now()));
      if (!on && !s?.on) throw new UserError("RC mode is already off.");
      await ctx.enqueue(
        jobRequest(
          "rc-mode",
          {
            on,
            reason: on ? String(ctx.args) : undefined,
            stepsIdempotent: allIdempotent(ctx.services.config.rcMode[on ? "onSteps" : "offSteps"]),
          },
          { summary: `rc-mode ${on ? "on" : "off"}` },
        ),
      );
    },
  });
}

const status = command({
  family: "rc-mode",
  name: "",
  usage: "!rc-mode [status]",
  summary: "whether PQM is in RC mode, since when, by whom",
  args: z
    .array(z.literal("status", { error: 'expected "on", "off" or "status"' }))
    .max(1, 'expected "on", "off" or "status"'),
  roles: [],
  async run(ctx) {
    await ctx.reply(describeRcMode(await getRcMode(ctx.services), ctx.services.clock.now()));
  },
});

export const rcModeCommands: Command[] = [rcCommand(true), rcCommand(false), status];
