import { accessSync, constants } from "node:fs";
import type { Config } from "../config/schema.js";
import type { Validator } from "../config/validate.js";
import { ConfigError } from "../core/errors.js";

/**
 * `changebot validate` for the SSH side: what would make every step on a host
 * fail is reported before the bot runs (key files, pins, the passphrase variable).
 */
export function checkHosts(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const readable = (f: string) => {
    try {
      accessSync(f, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  };
  for (const [name, h] of Object.entries(config.hosts)) {
    const at = `config hosts.${name}`;
    if (!h.hostKey && !h.knownHosts)
      problems.push(
        `${at}: neither hostKey nor knownHosts is set, so every connection to it would be refused`,
      );
    if (h.knownHosts && !readable(h.knownHosts))
      problems.push(`${at}.knownHosts: cannot read ${h.knownHosts}`);
    if (h.key && !readable(h.key)) problems.push(`${at}.key: cannot read ${h.key}`);
    if (!h.key && !env.SSH_AUTH_SOCK)
      problems.push(`${at}: no key, and SSH_AUTH_SOCK is not set (no ssh-agent)`);
    if (h.passphraseEnv && env[h.passphraseEnv] === undefined)
      problems.push(`${at}.passphraseEnv: the environment variable ${h.passphraseEnv} is not set`);
  }
  const lp = config.lpndt;
  if (lp?.host === "local" && lp.command[0]!.startsWith("/")) {
    try {
      accessSync(lp.command[0]!, constants.X_OK);
    } catch {
      problems.push(`config lpndt.command: ${lp.command[0]} is not an executable file on this host`);
    }
  }
  return problems;
}

/** The hosts part of `changebot validate`. */
export const validateHosts: Validator = async ({ config }) => {
  const problems = checkHosts(config);
  if (problems.length) throw new ConfigError(problems.join("\n"));
  const names = Object.keys(config.hosts);
  const lines = [`  hosts: ${names.length ? names.join(", ") : "none"}`];
  if (config.lpndt)
    lines.push(`  lpndt: on ${config.lpndt.host}, services ${config.lpndt.services.join(", ")}`);
  return lines.join("\n");
};
