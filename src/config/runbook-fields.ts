import { z } from "zod";
import { durationField } from "../core/duration.js";

/**
 * The fields of a runbook step, kind by kind: what every step may have, and what
 * each built-in kind adds. runbook.ts builds the step schemas and types from these;
 * docs/runbooks.md is the reference for authors.
 */

/** The built-in step kinds; each has a module in src/domain/runbook/kinds/. */
export const STEP_KINDS = [
  "ssh",
  "local",
  "manual",
  "wait",
  "loop",
  "stop-loop",
  "check",
  "topic",
  "announce",
  "downtime-start",
  "downtime-end",
  "lpndt",
  "rc-mode",
] as const;
export type BuiltinKind = (typeof STEP_KINDS)[number];

/** Built-in kinds an `undo:` may take. */
export const UNDO_KINDS = ["ssh", "local", "manual", "topic", "announce", "lpndt"] as const;

export const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "expected lower-case letters, digits, . _ -");
export const paramName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a parameter name");
const argv = z.array(z.string().min(1, "an empty argument")).min(1, "expected at least the command name");

/** Fields every step may have. */
export const common = {
  /** Short name for logs; defaults to step-N. */
  id: slug.optional(),
  title: z.string().min(1),
  /** Who may run `next` for this step (a manual step: who must ack it). */
  role: z.string().min(1).optional(),
  irreversible: z.boolean().default(false),
  /** Safe to run again if the bot died while it ran; otherwise it is reported interrupted. */
  idempotent: z.boolean().default(false),
  timeout: durationField.optional(),
  notes: z.string().optional(),
  /** `!migrate run` stops before this step, even when it is automated. */
  pause: z.boolean().optional(),
  /** A condition on the parameters (`component == backend`); false, the step is skipped (runbook-when.ts). */
  when: z.string().min(1).optional(),
  /** How long the step is planned to take (`10m`): the plan at start and the off-track alarm add them up. */
  estimate: durationField.optional(),
};

const remote = {
  /** An entry of `hosts:` in the config; omitted runs on the bot's own host. */
  host: z.string().min(1).optional(),
  /** Log in as this user instead of the host entry's. */
  user: z.string().min(1).optional(),
  argv,
};

export const shapes = {
  ssh: { ...remote, host: z.string().min(1) },
  local: { argv },
  manual: { instructions: z.string().min(1), role: z.string().min(1).optional() },
  wait: { duration: durationField },
  loop: { loop: slug, every: durationField, ...remote },
  "stop-loop": { loop: slug },
  check: {
    http: z
      .strictObject({
        url: z
          .string()
          .regex(/^(https?:\/\/|\$\{)/, "expected an http:// or https:// URL (or a parameter holding one)"),
        status: z.number().int().min(100).max(599).default(200),
        /** Text the body must contain. */
        body: z.string().optional(),
        /** Also fetch what the page refers to: its stylesheets, its links to other sites (kinds/check-page.ts). */
        follow: z.array(z.enum(["stylesheets", "links"])).optional(),
      })
      .optional(),
    host: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    argv: argv.optional(),
    /** A regular expression the command's output must match (each line tested with the m flag). */
    expect: z.string().min(1).optional(),
    /** The output must be the same as that of this earlier check step when it passed (nothing changed). */
    same: slug.optional(),
    /** Passes once an iteration of this loop that began after the check began has ended well (caught up). */
    loop: slug.optional(),
    /** The output holds staging "applied just now in N seconds" lines; passes when 2 × their sum + 10m fits this window. */
    budget: durationField.optional(),
    /** Keep trying until this long after the first attempt. */
    deadline: durationField.default(300_000),
    /** Pause between attempts. */
    interval: durationField.default(10_000),
  },
  topic: {
    /** The run's topic segment; omitted together with clear: true removes it. */
    segment: z.string().min(1).optional(),
    clear: z.boolean().optional(),
    /** "network:channel" list; default: every configured channel. */
    channels: z.array(z.string().regex(/^(irc|slack|console):.+$/, "expected NETWORK:CHANNEL")).optional(),
  },
  announce: { text: z.string().min(1), targets: z.array(z.string().min(1)).optional() },
  "downtime-start": { text: z.string().min(1).optional() },
  "downtime-end": { text: z.string().min(1).optional() },
  lpndt: {
    /** An entry of `hosts:`; the same lock as `!lpndt` when the config's lpndt: host names it. */
    host: z.string().min(1),
    user: z.string().min(1).optional(),
    verb: z.enum(["service-stop", "service-start"]),
    service: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "expected a plain service name"),
  },
  /** RC mode on or off, as `!rc-mode on|off` does it (state, topic segment, announcement). */
  "rc-mode": { mode: z.enum(["on", "off"]), reason: z.string().min(1).optional() },
} as const;
