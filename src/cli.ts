import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { PACKAGE_ROOT } from "./config/load.js";

export const USAGE = `usage:
  changebot [run] [--config FILE] [--role all|frontend|worker]   start the bot (default: console + private Redis)
  changebot validate [--config FILE]                            check a config and its runbooks; start nothing
  changebot downtimes [--ics] [--config FILE]                   the downtime schedule (--ics: as iCalendar)
  changebot health [--config FILE]                              exit 0 if the bot's Redis answers, else 1
  changebot slack-manifest [--config FILE]                      the Slack app manifest to paste into "create from manifest"
  changebot --help | --version

The config comes from --config, else CHANGEBOT_CONFIG, else the embedded default
(the console adapter, a private redis-server, the shipped runbooks/).`;

export const VERBS = ["run", "validate", "downtimes", "health", "slack-manifest"] as const;
export type Verb = (typeof VERBS)[number];

export interface CommandLine {
  verb: Verb;
  config?: string;
  role: string;
  ics: boolean;
}

/** A command line the bot cannot make sense of: one line naming the problem, then the usage; exit 2. */
export class CommandLineError extends Error {
  override name = "CommandLineError";
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** What to do, or (for --help and --version) what to print before exiting 0. */
export function parseCommandLine(argv: string[]): CommandLine | { print: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (!err.code?.startsWith("ERR_PARSE_ARGS_")) throw e;
    const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? "";
    const name = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new CommandLineError(`unknown option ${name}`);
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new CommandLineError(
        /argument missing/.test(err.message)
          ? `option ${name} needs a value`
          : `option ${name} takes no value`,
      );
    throw new CommandLineError(err.message.split("\n")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return { print: `${USAGE}\n` };
  if (values.version) return { print: `changebot ${version()}\n` };
  const verb = positionals[0] ?? "run";
  if (!(VERBS as readonly string[]).includes(verb)) throw new CommandLineError(`unknown command "${verb}"`);
  if (positionals.length > 1) throw new CommandLineError(`unexpected argument "${positionals[1]}"`);
  return { verb: verb as Verb, config: values.config, role: values.role, ics: values.ics === true };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      role: { type: "string", default: "all" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "V" },
      ics: { type: "boolean" },
    },
  });
}
