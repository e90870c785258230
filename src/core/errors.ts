/**
 * Coded errors. A UserError's message reaches the user verbatim; anything else is
 * logged with its stack and the user gets a short message with a correlation id.
 */
export enum ErrorCode {
  Usage = "usage",
  Permission = "permission",
  UnknownCommand = "unknown_command",
  NotFound = "not_found",
  Conflict = "conflict",
  Refused = "refused",
  Config = "config",
  Unavailable = "unavailable",
}

export class UserError extends Error {
  override name = "UserError";
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCode.Refused,
  ) {
    super(message);
  }
}

export class UsageError extends UserError {
  override name = "UsageError";
  constructor(message: string, usage?: string) {
    super(usage ? `${message} — usage: ${usage}` : message, ErrorCode.Usage);
  }
}

export class PermissionError extends UserError {
  override name = "PermissionError";
  constructor(message: string) {
    super(message, ErrorCode.Permission);
  }
}

/** A configuration problem: one clear line, naming the key path. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly code = ErrorCode.Config;
}

/** Something the bot needs is not there (redis-server, a Redis URL): one clear line, non-zero exit. */
export class StartupError extends Error {
  override name = "StartupError";
  readonly code = ErrorCode.Unavailable;
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
