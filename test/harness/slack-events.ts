import { createHmac } from "node:crypto";
import type { FakeMessage } from "./slack-api.js";

/** What Slack sends the bot: event callbacks, button clicks, signed HTTP requests. */
export const TEAM = "T0TEST";
export const BOT_USER = "UBOT";
export const BOT_ID = "BBOT";

let seq = 0;
/** People's messages get timestamps apart from the bot's own (1700000000.*). */
const nextTs = () => `1690000000.${String(++seq).padStart(6, "0")}`;

/** An Events API callback body around one event. */
export function eventBody(event: Record<string, unknown>, eventId = `Ev${Date.now()}${++seq}`) {
  return {
    token: "verification-token",
    team_id: TEAM,
    api_app_id: "A0TEST",
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event,
    authorizations: [{ team_id: TEAM, user_id: BOT_USER, is_bot: true }],
  };
}

/** A person's message in a channel (or a DM with channel_type "im"), as a `message` event. */
export function userMessage(
  channel: string,
  user: string,
  text: string,
  extra: Record<string, unknown> = {},
) {
  const ts = nextTs();
  return {
    type: "message",
    channel,
    user,
    text,
    ts,
    event_ts: ts,
    team: TEAM,
    channel_type: "channel",
    ...extra,
  };
}

/** A slash command's payload (`/changebot <text>` typed by `user` in `channel`). */
export function slashPayload(channel: string, user: string, text: string, triggerId = `trig-${++seq}`) {
  return {
    token: "verification-token",
    team_id: TEAM,
    team_domain: "test",
    channel_id: channel,
    channel_name: channel,
    user_id: user,
    user_name: user,
    command: "/changebot",
    text,
    api_app_id: "A0TEST",
    is_enterprise_install: "false",
    response_url: "http://127.0.0.1:9/commands/response",
    trigger_id: triggerId,
  };
}

/** A view_submission payload: `user` submitted the modal `view` with these state values. */
export function viewSubmission(
  view: { callback_id?: string; private_metadata?: string },
  user: string,
  values: Record<string, Record<string, unknown>>,
) {
  return {
    type: "view_submission",
    team: { id: TEAM, domain: "test" },
    user: { id: user, username: user, team_id: TEAM },
    api_app_id: "A0TEST",
    token: "verification-token",
    trigger_id: `trig-${++seq}`,
    view: {
      id: `V${seq}`,
      type: "modal",
      callback_id: view.callback_id,
      private_metadata: view.private_metadata ?? "",
      hash: `h${seq}`,
      state: { values },
    },
  };
}

/** A block_actions payload: `user` clicked button `index` of the bot's message `m`. */
export function clickPayload(m: FakeMessage, user: string, index: number, actionTs: string) {
  const button = m.blocks?.find((b) => b.type === "actions")?.elements?.[index];
  if (!button) throw new Error(`message ${m.ts} has no button ${index}`);
  return {
    type: "block_actions",
    user: { id: user, username: user, team_id: TEAM },
    api_app_id: "A0TEST",
    token: "verification-token",
    container: { type: "message", message_ts: m.ts, channel_id: m.channel, is_ephemeral: false },
    trigger_id: `trig-${++seq}`,
    team: { id: TEAM, domain: "test" },
    channel: { id: m.channel, name: m.channel },
    message: {
      type: "message",
      ts: m.ts,
      text: m.text,
      blocks: m.blocks,
      user: BOT_USER,
      thread_ts: m.thread_ts,
    },
    actions: [{ ...button, block_id: "changebot_actions", type: "button", action_ts: actionTs }],
  };
}

/** Slack's v0 request signature: HMAC-SHA256 over "v0:timestamp:body". */
export function signSlack(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** POSTs a body to the bot's Events API endpoint, signed (or not) as given. */
export async function postEvent(
  url: string,
  body: unknown,
  o: {
    secret: string;
    timestamp?: number;
    signature?: string;
    retryNum?: number;
    form?: boolean;
    fields?: boolean;
  },
): Promise<Response> {
  // Interactive payloads come form-encoded (payload=<json>), slash commands as plain form fields; events as JSON.
  const text = o.fields
    ? new URLSearchParams(body as Record<string, string>).toString()
    : o.form
      ? new URLSearchParams({ payload: JSON.stringify(body) }).toString()
      : JSON.stringify(body);
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": o.form || o.fields ? "application/x-www-form-urlencoded" : "application/json",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": o.signature ?? signSlack(o.secret, ts, text),
      ...(o.retryNum
        ? { "x-slack-retry-num": String(o.retryNum), "x-slack-retry-reason": "http_timeout" }
        : {}),
    },
    body: text,
  });
}
