import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/** Keys whose values never reach a log line, wherever they appear. */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "sentinelPassword",
  "*.sentinelPassword",
  "*.*.sentinelPassword",
  "token",
  "botToken",
  "appToken",
  "signingSecret",
  "webhookSecret",
  "passphrase",
  "privateKey",
  "*.botToken",
  "*.appToken",
  "*.signingSecret",
  "*.passphrase",
  "*.privateKey",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
];

export interface LogOptions {
  level?: string;
  /** Write every line here (JSON). */
  file?: string;
  /** Also write lines at or above this level to stderr. */
  stderrLevel?: string | false;
}

/** pino, with secrets redacted, to a file and/or stderr. */
export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? "info";
  const streams: pino.StreamEntry[] = [];
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    streams.push({
      level: level as pino.Level,
      stream: pino.destination({ dest: opts.file, sync: true, mkdir: true }),
    });
  }
  if (opts.stderrLevel !== false) {
    streams.push({ level: (opts.stderrLevel ?? level) as pino.Level, stream: pino.destination(2) });
  }
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: "[secret]" }, base: { pid: process.pid } },
    pino.multistream(streams),
  );
}

/** A logger that discards everything (unit tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** redis://user:pass@host → redis://user:***@host, for log lines and chat. */
export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
