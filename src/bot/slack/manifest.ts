import { stringify } from "yaml";
import type { SlackNetConfig } from "../../config/schema.js";
import { SLASH_COMMAND } from "./slash.js";

/** The path the HTTP receiver serves events, slash commands and interactivity on. */
export const EVENTS_PATH = "/slack/events";

/** What the bot asks of Slack, each for what it does (docs/slack.md lists them with their reasons). */
export const BOT_SCOPES = [
  "app_mentions:read",
  "channels:history",
  "channels:read",
  "channels:write.topic",
  "chat:write",
  "commands",
  "files:write",
  "groups:history",
  "groups:read",
  "groups:write.topic",
  "im:history",
  "mpim:history",
  "reactions:write",
  "users:read",
] as const;

export const BOT_EVENTS = [
  "app_home_opened",
  "app_mention",
  "message.channels",
  "message.groups",
  "message.im",
  "message.mpim",
] as const;

export interface Manifest {
  text: string;
  /** HTTP mode without networks.slack.publicUrl: the URLs are placeholders to fill in. */
  placeholder: boolean;
}

/**
 * The app manifest to paste into Slack's "Create New App → From a manifest":
 * the scopes, bot events, the slash command, interactivity and App Home, and
 * either Socket Mode or the request URLs (networks.slack.publicUrl + /slack/events).
 */
export function slackManifest(cfg: SlackNetConfig | undefined, name = "changebot"): Manifest {
  const socket = !cfg || Boolean(cfg.appToken);
  const base = cfg?.publicUrl?.replace(/\/+$/, "");
  const url = socket ? undefined : `${base ?? "https://changebot.example.org"}${EVENTS_PATH}`;
  const withUrl = (o: Record<string, unknown>, key = "request_url") => (url ? { ...o, [key]: url } : o);
  const manifest = {
    display_information: {
      name,
      description: "ChatOps for changes: RC mode, downtimes, runbooks, topics.",
    },
    features: {
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: name, always_online: true },
      slash_commands: [
        withUrl(
          {
            command: SLASH_COMMAND,
            description: "Run a changebot command (help lists them)",
            usage_hint: "help | rc-mode on <reason> | downtime schedule",
            should_escape: true,
          },
          "url",
        ),
      ],
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      event_subscriptions: withUrl({ bot_events: [...BOT_EVENTS] }),
      interactivity: withUrl({ is_enabled: true }),
      org_deploy_enabled: false,
      socket_mode_enabled: socket,
      token_rotation_enabled: false,
    },
  };
  return { text: stringify(manifest), placeholder: !socket && !base };
}
