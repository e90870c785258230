import { type Config, LOCAL_HOST } from "../config/schema.js";
import { UsageError, UserError } from "../core/errors.js";
import { JobLock } from "../infra/job-lock.js";
import type { Services } from "./services.js";

/**
 * lpndt (seed 000): `lpndt service-stop|service-start <service>` as the
 * configured user on the configured host. The service must be on the
 * allow-list; anything that looks like shell syntax is refused. One lpndt at a
 * time per host (a JobLock).
 */
export const VERBS = ["service-stop", "service-start"] as const;
export type Verb = (typeof VERBS)[number];

/** Characters a shell would treat specially, and whitespace. */
const SHELL_META = /[;&|`$(){}<>\\'"*?![\]~#=%^,\s]/u;

export function settings(services: Services): NonNullable<Config["lpndt"]> {
  const cfg = services.config.lpndt;
  if (!cfg)
    throw new UserError("lpndt is not configured here (no lpndt: section in the config). Nothing was run.");
  return cfg;
}

/** The service named, or a UserError saying why it is refused. Runs before anything is queued. */
export function checkService(
  cfg: NonNullable<Config["lpndt"]>,
  words: string[],
  raw: string,
  usage: string,
): string {
  if (/[\r\n\0]/.test(raw))
    throw new UserError(
      "Refused: a line break or NUL in an lpndt command is not allowed. Nothing was queued.",
    );
  for (const w of words) {
    const bad = SHELL_META.exec(w);
    if (bad)
      throw new UserError(
        `Refused: "${w}" contains a shell metacharacter (${JSON.stringify(bad[0])}); give one service name from: ${cfg.services.join(", ")}. Nothing was queued.`,
      );
  }
  if (words.length !== 1) throw new UsageError("expected exactly one service", usage);
  const service = words[0]!;
  if (!cfg.services.includes(service))
    throw new UserError(
      `Refused: "${service}" is not on the lpndt allow-list (${cfg.services.join(", ")}). Nothing was queued.`,
    );
  return service;
}

export const where = (cfg: NonNullable<Config["lpndt"]>) =>
  cfg.host === LOCAL_HOST ? "this host (local)" : cfg.host;
export const lockFor = (services: Services, host: string) => new JobLock(services, `lpndt:${host}`);
