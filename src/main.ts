#!/usr/bin/env node
import { resolve } from "node:path";
import { Bot, type ProcessRole } from "./app.js";
import { CommandLineError, parseCommandLine, USAGE } from "./cli.js";
import { allCommands } from "./commands/index.js";
import { commandKey } from "./commands/types.js";
import { loadConfig } from "./config/load.js";
import { ConfigError, StartupError } from "./core/errors.js";
import { createLogger } from "./core/log.js";

/**
 * After the grace period, what stopping the running jobs takes (the executors'
 * TERM, then KILL 2 s later, and closing their sessions) and a little more.
 */
const SHUTDOWN_SLACK_MS = 4_000;
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

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
  // What only one verb needs is loaded by that verb (ical-generator, ssh2): the bot starts light.
  if (verb === "validate") {
    const [{ validateAll }, { validateHosts }] = await Promise.all([
      import("./config/validate.js"),
      import("./exec/ssh-validate.js"),
    ]);
    const report = await validateAll(loaded, allCommands.map(commandKey), [validateHosts]);
    process.stdout.write(`${report}\n`);
    return;
  }
  if (verb === "downtimes") {
    const { printDowntimes } = await import("./announce/export-cli.js");
    const log = createLogger({ level: "warn", stderrLevel: "warn" });
    await printDowntimes(loaded.config, log, { ics: cli.ics });
    return;
  }
  if (verb === "slack-manifest") {
    const { slackManifest } = await import("./bot/slack/manifest.js");
    const m = slackManifest(loaded.config.networks.slack);
    if (m.placeholder)
      process.stderr.write(
        "changebot: networks.slack.publicUrl is not set; replace changebot.example.org in the request URLs\n",
      );
    process.stdout.write(m.text);
    return;
  }
  if (verb === "health") {
    const { checkHealth } = await import("./infra/health.js");
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
  let signalled = false;
  /** Ends the process now, whatever is still pending; a private Redis is left to its other users or stopped. */
  const forceExit = (code: number, msg: string) => {
    log.error({ code }, msg);
    bot.abandon();
    process.exit(code);
  };
  const shutdown = (signal: "SIGTERM" | "SIGINT") => {
    // A second signal ends it at once (exit 128 + the signal's number, as the shell reports a signal).
    if (signalled)
      return forceExit(SIGNAL_EXIT[signal], `${signal} again: exiting without finishing the shutdown`);
    signalled = true;
    log.info({ signal }, "shutting down");
    // Whatever Redis, a network or a job is doing, the process ends shortly after the grace period.
    const deadlineMs = config.jobs.shutdownGraceMs + SHUTDOWN_SLACK_MS;
    setTimeout(
      () => forceExit(1, `the shutdown did not finish within ${deadlineMs} ms; exiting without it`),
      deadlineMs,
    ).unref();
    void bot.stop().then(
      () => process.exit(0),
      (e) => forceExit(1, `the shutdown failed: ${(e as Error).message}`),
    );
  };
  // A stray rejection (a library's callback during a reconnect, say) is logged, never a crash mid-downtime.
  process.on("unhandledRejection", (e) => log.error({ err: e }, "unhandled rejection"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  await bot.start();
  if (consoleMode) {
    await bot.scriptDone;
    await bot.stop();
    process.exit(0);
  }
}

main(process.argv.slice(2)).catch(fatal);
