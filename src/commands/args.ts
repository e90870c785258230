import { z } from "zod";

/** Argument schemas shared by command families: each parses the words after the command name. */
export const noArgs = z.array(z.string()).max(0, "this command takes no arguments");

/** Any words, joined back into one text (possibly empty). */
export const text = z.array(z.string()).transform((w) => w.join(" ").trim());

/** At least one word of text. */
export const requiredText = (what: string) =>
  z
    .array(z.string())
    .min(1, `missing ${what}`)
    .transform((w) => w.join(" ").trim());

/** One job id, "42" or "#42". */
export const jobId = z
  .array(z.string())
  .length(1, "expected one job id, like 42")
  .transform((w, ctx) => {
    const m = /^#?(\d{1,12})$/.exec(w[0]!);
    if (!m) {
      ctx.addIssue({ code: "custom", message: `"${w[0]}" is not a job id; expected a number like 42` });
      return z.NEVER;
    }
    return Number(m[1]);
  });
