import { z } from "zod";

/** A runbook parameter as declared under `parameters:` (docs/runbooks.md): its type and checks. */
export const parameterSchema = z
  .strictObject({
    type: z.enum(["string", "integer", "boolean", "enum"]).default("string"),
    description: z.string().optional(),
    /** For type enum: the allowed values. */
    values: z.array(z.string().min(1)).min(1).optional(),
    /** For type string: a regular expression the whole value must match. */
    pattern: z.string().optional(),
    /** For type string: a value may start with "-" (refused otherwise: a command would read it as an option). */
    allowLeadingDash: z.boolean().optional(),
    /** For type integer: the smallest and largest value allowed. */
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    /** A parameter with a default may be left out of `!migrate start`. */
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .superRefine((p, ctx) => {
    const only = (key: "allowLeadingDash" | "min" | "max", type: string) => {
      if (p[key] !== undefined && p.type !== type)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `only ${type === "integer" ? "an" : "a"} ${type} parameter takes ${key}`,
        });
    };
    only("allowLeadingDash", "string");
    only("min", "integer");
    only("max", "integer");
    if (p.min !== undefined && p.max !== undefined && p.min > p.max)
      ctx.addIssue({ code: "custom", path: ["max"], message: `max ${p.max} is below min ${p.min}` });
  });
