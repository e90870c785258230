#!/usr/bin/env node
import { resolve } from "node:path";
import { printDowntimes } from "./announce/export-cli.js";
import { Bot, type ProcessRole } from "./app.js";
import { CommandLineError, parseCommandLine, USAGE } from "./cli.js";
import { allCommands } from "./commands/index.js";
import { commandKey } from "./commands/types.js";
import { loadConfig } from "./config/load.js";
import { validateAll } from "./config/validate.js";
import { ConfigError, StartupError } from "./core/errors.js";
import { createLogger } from "./core/log.js";
import { validateHosts } from "./exec/ssh-validate.js";
import { checkHealth } from "./infra/health.js";

/** One clear line for the problems a user can fix; a stack only for our own bugs. */
function fatal(e: unknown): never {
  if (e instanceof CommandLineError) {
    process.stderr.write(`changebot: ${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (e instanceof ConfigError || e instanceof StartupError) {
    process.stderr.write(`changebot: ${e.message}\n`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  }
  process.stderr.write(`changebot: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(70);
}

async function main(argv: string[]): Promise<void> {
  const cli = parseCommandLine(argv);
  if ("print" in cli) {
    process.stdout.write(cli.print);
    return;
  }
  const { verb } = cli;
  const loaded = loadConfig(cli.config);
  if (verb === "validate") {
    const report = await validateAll(loaded, allCommands.map(commandKey), [validateHosts]);
    process.stdout.write(`${report}\n`);
    return;
  }
  if (verb === "downtimes") {
    const log = createLogger({ level: "warn", stderrLevel: "warn" });
    await printDowntimes(loaded.config, log, { ics: cli.ics });
    return;
  }
  if (verb === "health") {
    const log = createLogger({ level: "warn", stderrLevel: "warn" });
    process.stdout.write(`${await checkHealth(loaded.config, log)}\n`);
    return;
  }
  const role = cli.role as ProcessRole;
  if (!["all", "frontend", "worker"].includes(role))
    throw new ConfigError(`--role must be all, frontend or worker, not "${role}"`);
  const { config } = loaded;
  const consoleMode = !!config.networks.console && role !== "worker";
  const log = createLogger({
    level: config.log.level,
    // The console owns stdout; the log goes to a file, with warnings also on stderr.
    file: config.log.file ?? (consoleMode ? resolve(config.dataDir, "changebot.log") : undefined),
    stderrLevel: consoleMode ? "warn" : config.log.level,
  });
  const bot = new Bot({ config, log, role });
  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    log.info({ signal }, "shutting down");
    void bot.stop().then(() => process.exit(0));
  };
  // A stray rejection (a library's callback during a reconnect, say) is logged, never a crash mid-downtime.
  process.on("unhandledRejection", (e) => log.error({ err: e }, "unhandled rejection"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  await bot.start();
  if (consoleMode) {
    await bot.scriptDone;
    exiting = true;
    await bot.stop();
    process.exit(0);
  }
}

main(process.argv.slice(2)).catch(fatal);
