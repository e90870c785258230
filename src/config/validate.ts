import { checkPermissionKeys, configWarnings } from "./checks.js";
import type { LoadedConfig } from "./load.js";
import { validateRunbooks } from "./runbook-load.js";

/**
 * `changebot validate`: the config has already been parsed (loadConfig throws a
 * ConfigError naming each bad key); further checks that read other files (the
 * runbooks here; the SSH hosts, passed in by the composition root) each return a
 * line for the report or throw a ConfigError of their own.
 */
export type Validator = (loaded: LoadedConfig) => Promise<string | undefined>;

/** `commandKeys`: "family sub" of every command (from the composition root), to check `permissions:` keys. */
export async function validateAll(
  loaded: LoadedConfig,
  commandKeys: readonly string[],
  more: readonly Validator[] = [],
): Promise<string> {
  const validators: Validator[] = [validateRunbooks, ...more];
  const { config } = loaded;
  checkPermissionKeys(config, commandKeys);
  const lines = [
    `config OK: ${loaded.embedded ? "the embedded default" : loaded.path}`,
    `  networks: ${
      Object.keys(config.networks)
        .filter((k) => config.networks[k as keyof typeof config.networks])
        .join(", ") || "none"
    }`,
    `  roles: ${
      Object.entries(config.roles)
        .map(([r, ids]) => `${r} (${ids.length})`)
        .join(", ") || "none"
    }`,
    `  redis: ${
      typeof config.redis === "object"
        ? `primary "${config.redis.name}" through ${config.redis.sentinels.length} sentinel(s): ${config.redis.sentinels.join(", ")}`
        : config.redis
          ? "configured"
          : "REDIS_URL or a private redis-server"
    }`,
  ];
  for (const v of validators) {
    const line = await v(loaded);
    if (line) lines.push(line);
  }
  lines.push(...configWarnings(config));
  return lines.join("\n");
}
