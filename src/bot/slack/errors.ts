import { webApi } from "@slack/bolt";

/** Slack's error code ("not_in_channel") when the Web API answered ok: false, else undefined. */
export function platformError(e: unknown): string | undefined {
  if (e instanceof webApi.WebAPIPlatformError) return e.data.error;
  return undefined;
}

/** Codes that mean "try again later"; any other platform error will not change by retrying. */
const TRANSIENT = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
  "team_added_to_org",
]);

/** Refused for good: retrying the same call gives the same answer. */
export function isPermanent(e: unknown): boolean {
  const code = platformError(e);
  return code !== undefined && !TRANSIENT.has(code);
}

/** The token itself is refused: the bot cannot work until someone fixes the config. */
const AUTH = new Set([
  "not_authed",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
  "user_removed_from_team",
  "team_disabled",
]);

export function isAuthError(e: unknown): boolean {
  const code = platformError(e);
  return code !== undefined && AUTH.has(code);
}

/** What the channel is told when Slack refuses a topic change. */
export function topicRefusal(code: string, channel: string): string {
  switch (code) {
    case "not_in_channel":
    case "channel_not_found":
      return `I can't set the topic of ${channel}: I am not a member. Invite me with /invite.`;
    case "missing_scope":
      return "I can't set the topic: the Slack app lacks a scope (channels:write.topic or groups:write.topic). Add it and reinstall the app.";
    case "is_archived":
      return `I can't set the topic of ${channel}: the channel is archived.`;
    case "restricted_action":
    case "not_authorized":
      return "I can't set the topic: this workspace does not let apps change topics here.";
    case "too_long":
      return "I can't set the topic: Slack says it is too long.";
    default:
      return `I can't set the topic: Slack answered ${code}.`;
  }
}
