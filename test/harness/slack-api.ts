import { BOT_ID, BOT_USER, TEAM } from "./slack-events.js";

export const BOT_TOKEN = "xoxb-fake-bot-token";
export const APP_TOKEN = "xapp-fake-app-token";

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  thread_ts?: string;
  blocks?: { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[];
  user: string;
  /** Message metadata the bot attached (chat.postMessage's `metadata`). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/**
 * The fake Slack's state and Web API: the messages the bot posted (and edited),
 * channel topics, uploaded files and the users it can look up. Calls must carry
 * the right token: the bot token, or the app token for apps.connections.open.
 */
export class SlackWorkspace {
  readonly messages = new Map<string, FakeMessage>();
  readonly topics = new Map<string, string>();
  readonly uploads = new Map<string, string>();
  /** Messages only one person sees (chat.postEphemeral), in order; `user` is who sees it. */
  readonly ephemerals: FakeMessage[] = [];
  readonly teamId = TEAM;
  readonly botUserId = BOT_USER;
  readonly botId = BOT_ID;
  /** Views the bot opened (views.open) and published on users' App Home (views.publish), in order. */
  readonly opened: { trigger_id: string; view: FakeView }[] = [];
  readonly published: { user_id: string; view: FakeView }[] = [];
  /** Reactions the bot added (reactions.add), in order. */
  readonly reactions: { channel: string; ts: string; name: string }[] = [];
  /** Channels conversations.list gives (in pages of its `limit`), and whether the bot is in each. */
  readonly channels: { id: string; name: string; is_member: boolean }[] = [];
  /** Display names users.info gives; unknown ids get user_not_found. */
  readonly users = new Map<string, string>();
  protected seq = 0;
  /** When (real time, seconds) each message was posted: `oldest` in lookups compares with this, not the fake ts. */
  private readonly postedAt = new Map<string, number>();

  /** Messages the bot posted (chat.postMessage), in order. */
  posted(): FakeMessage[] {
    return [...this.messages.values()];
  }

  private nextTs(): string {
    return `1700000000.${String(++this.seq).padStart(6, "0")}`;
  }

  /** The Web API's answer to one call; `host` is where uploads and the socket are. */
  protected answer(
    method: string,
    a: Record<string, unknown>,
    token: string | undefined,
    host: string,
  ): unknown {
    const wantApp = method === "apps.connections.open";
    if (token !== (wantApp ? APP_TOKEN : BOT_TOKEN)) return { ok: false, error: "invalid_auth" };
    const channel = String(a.channel ?? a.channel_id ?? "");
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          user_id: this.botUserId,
          bot_id: this.botId,
          team_id: this.teamId,
          user: "changebot",
        };
      case "apps.connections.open":
        return { ok: true, url: `ws://${host}/socket` };
      case "users.info": {
        const name = this.users.get(String(a.user));
        return name
          ? { ok: true, user: { id: a.user, name, real_name: name, profile: { display_name: name } } }
          : { ok: false, error: "user_not_found" };
      }
      case "chat.postMessage": {
        const m: FakeMessage = {
          channel,
          ts: this.nextTs(),
          text: String(a.text ?? ""),
          thread_ts: a.thread_ts as string | undefined,
          blocks: a.blocks as FakeMessage["blocks"],
          user: this.botUserId,
          metadata: a.metadata as FakeMessage["metadata"],
        };
        this.messages.set(m.ts, m);
        this.postedAt.set(m.ts, Date.now() / 1000);
        return { ok: true, channel, ts: m.ts, message: m };
      }
      case "chat.postEphemeral": {
        const m: FakeMessage = {
          channel,
          ts: this.nextTs(),
          text: String(a.text ?? ""),
          thread_ts: a.thread_ts as string | undefined,
          user: String(a.user),
        };
        this.ephemerals.push(m);
        return { ok: true, message_ts: m.ts };
      }
      case "chat.update": {
        const m = this.messages.get(String(a.ts));
        if (!m) return { ok: false, error: "message_not_found" };
        m.text = String(a.text ?? "");
        m.blocks = a.blocks as FakeMessage["blocks"];
        return { ok: true, channel, ts: m.ts };
      }
      case "conversations.setTopic":
        this.topics.set(channel, String(a.topic));
        return { ok: true, channel: { id: channel, topic: { value: a.topic } } };
      case "views.open": {
        const view = parseView(a.view);
        this.opened.push({ trigger_id: String(a.trigger_id), view });
        return { ok: true, view: { ...view, id: `V${++this.seq}`, hash: "h1" } };
      }
      case "views.publish": {
        const view = parseView(a.view);
        this.published.push({ user_id: String(a.user_id), view });
        return { ok: true, view: { ...view, id: `V${++this.seq}` } };
      }
      case "reactions.add": {
        const r = { channel, ts: String(a.timestamp), name: String(a.name) };
        if (this.reactions.some((x) => x.channel === r.channel && x.ts === r.ts && x.name === r.name))
          return { ok: false, error: "already_reacted" };
        this.reactions.push(r);
        return { ok: true };
      }
      case "conversations.list": {
        const from = Number(a.cursor ?? 0);
        const limit = Number(a.limit ?? 100);
        const next = from + limit < this.channels.length ? String(from + limit) : "";
        return {
          ok: true,
          channels: this.channels.slice(from, from + limit),
          response_metadata: { next_cursor: next },
        };
      }
      case "conversations.history":
      case "conversations.replies": {
        // Newest first, as Slack gives them; metadata only when asked for.
        const all = String(a.include_all_metadata) === "true";
        const msgs = this.posted()
          .filter((m) => m.channel === channel && (this.postedAt.get(m.ts) ?? 0) >= Number(a.oldest ?? 0))
          .filter((m) =>
            method === "conversations.history" ? !m.thread_ts : m.thread_ts === a.ts || m.ts === a.ts,
          )
          .reverse()
          .map((m) => (all ? m : { ...m, metadata: undefined }));
        return { ok: true, messages: msgs, has_more: false };
      }
      case "conversations.info":
        return { ok: true, channel: { id: channel, topic: { value: this.topics.get(channel) ?? "" } } };
      case "files.getUploadURLExternal": {
        const id = `F${++this.seq}`;
        return { ok: true, file_id: id, upload_url: `http://${host}/upload/${id}` };
      }
      case "files.completeUploadExternal":
        return { ok: true, files: JSON.parse(String(a.files)) };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

export interface FakeView {
  type: string;
  callback_id?: string;
  private_metadata?: string;
  blocks: {
    type: string;
    block_id?: string;
    element?: { type: string };
    text?: { text: string };
    elements?: { text?: string | { text: string } }[];
  }[];
}

const parseView = (v: unknown): FakeView => (typeof v === "string" ? JSON.parse(v) : v) as FakeView;

/** A Web API request body: form-encoded (objects as JSON) or JSON. */
export function parseArgs(type: string, raw: string): Record<string, unknown> {
  if (!raw) return {};
  if (type.includes("application/json")) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const json = (k === "blocks" || k === "attachments") && v.startsWith("[");
    out[k] = json || (k === "metadata" && v.startsWith("{")) ? JSON.parse(v) : v;
  }
  return out;
}
