import { randomUUID } from "node:crypto";
import { webApi } from "@slack/bolt";
import type { Logger } from "../../core/log.js";
import { platformError } from "./errors.js";

type PostArgs = webApi.ChatPostMessageArguments & { channel: string; text: string; thread_ts?: string };

/** Marks each message the bot posts, so a retry can tell whether an earlier attempt landed. */
export const METADATA_EVENT = "changebot_message";

/** Tries of one post before the outbox takes over (and tries again, with the same memory). */
const TRIES = 7;
/** How far back a lookup reaches before the first doubtful attempt (clock skew between us and Slack). */
const SKEW_S = 120;
/** At most this many doubtful or half-delivered messages are remembered (the outbox sends one at a time). */
const MAX_REMEMBERED = 100;

/**
 * How a failed chat.postMessage ended: "not posted" (a 429, or a refusal
 * retrying cannot change), or "unknown": a 5xx, a timeout or a dropped
 * connection, or Slack's own internal_error, which it documents as "some
 * aspect of the operation may have succeeded".
 */
export function outcome(
  e: unknown,
): { posted: "no"; retryAfterS?: number } | { posted: "unknown" } | undefined {
  if (e instanceof webApi.WebAPIRateLimitedError) return { posted: "no", retryAfterS: e.retryAfter };
  if (e instanceof webApi.WebAPIHTTPError)
    return e.statusCode >= 500 ? { posted: "unknown" } : { posted: "no" };
  if (e instanceof webApi.WebAPIRequestError) return { posted: "unknown" };
  const code = platformError(e);
  if (code === "ratelimited") return { posted: "no" };
  if (code && ["internal_error", "fatal_error", "service_unavailable", "request_timeout"].includes(code))
    return { posted: "unknown" };
  return undefined;
}

/**
 * chat.postMessage at most once per message, retried through 429s and 5xx.
 * Slack has no idempotency key for posts, so every post carries message
 * metadata with an id of ours; after an attempt whose outcome is unknown, the
 * next one first looks in the channel (or thread) for a message with that id
 * and, if it is there, takes it instead of posting again. The Web API client
 * used to post retries nothing by itself: its own retries would re-post
 * blindly.
 */
export class OncePoster {
  /** Messages with a doubtful attempt: their id, and when (Slack's clock, seconds) to look from. */
  private readonly doubtful = new Map<string, { id: string; since: number }>();
  /** Messages posted whose delivery is not finished (a file still to upload): their ts. */
  private readonly posted = new Map<string, string>();
  private once?: { for: webApi.WebClient; client: webApi.WebClient };

  constructor(
    private readonly client: () => webApi.WebClient,
    private readonly log: Logger,
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {}

  static key(a: { channel: string; text: string; thread_ts?: string }): string {
    return JSON.stringify([a.channel, a.thread_ts ?? "", a.text]);
  }

  /** The message's ts; throws what the caller should see (a refusal, or the last transient error). */
  async post(args: PostArgs): Promise<string | undefined> {
    const key = OncePoster.key(args);
    const done = this.posted.get(key);
    if (done) return done;
    let doubt = this.doubtful.get(key);
    const id = doubt?.id ?? randomUUID();
    for (let attempt = 0; ; attempt++) {
      if (doubt) {
        const found = await this.find(args, doubt);
        if (found) {
          this.log.info(
            { channel: args.channel },
            "Slack: an earlier attempt had posted the message; not posting it again",
          );
          return this.remember(key, found);
        }
      }
      try {
        const res = await this.poster().chat.postMessage({
          ...args,
          metadata: { event_type: METADATA_EVENT, event_payload: { id } },
        });
        return this.remember(key, res.ts);
      } catch (e) {
        const o = outcome(e);
        if (!o) {
          this.doubtful.delete(key);
          throw e;
        }
        if (o.posted === "unknown" && !doubt) {
          doubt = { id, since: Math.floor(Date.now() / 1000) - SKEW_S };
          if (this.doubtful.size >= MAX_REMEMBERED) this.doubtful.clear();
          this.doubtful.set(key, doubt);
        }
        if (attempt + 1 >= TRIES) throw e;
        const wait =
          o.posted === "no" && o.retryAfterS ? o.retryAfterS * 1000 : Math.min(500 * 2 ** attempt, 10_000);
        this.log.warn(
          { channel: args.channel, err: (e as Error).message, attempt, waitMs: wait },
          "Slack: post failed; will retry",
        );
        await this.sleep(wait);
      }
    }
  }

  /** The message is fully delivered: nothing about it needs remembering. */
  forget(a: { channel: string; text: string; thread_ts?: string }): void {
    this.posted.delete(OncePoster.key(a));
  }

  private remember(key: string, ts: string | undefined): string | undefined {
    this.doubtful.delete(key);
    if (!ts) return ts;
    if (this.posted.size >= MAX_REMEMBERED) this.posted.clear();
    this.posted.set(key, ts);
    return ts;
  }

  /** The ts of the message carrying our id, if an earlier attempt posted it (conversations.history or .replies). */
  private async find(a: PostArgs, doubt: { id: string; since: number }): Promise<string | undefined> {
    const c = this.client();
    const common = {
      channel: a.channel,
      oldest: String(doubt.since),
      include_all_metadata: true,
      limit: 200,
    };
    const res = a.thread_ts
      ? await c.conversations.replies({ ...common, ts: a.thread_ts })
      : await c.conversations.history(common);
    const hit = (res.messages ?? []).find(
      (m) => (m.metadata?.event_payload as { id?: string } | undefined)?.id === doubt.id,
    );
    return hit?.ts;
  }

  /** A client like the bot's whose calls are made once: a 429 comes back as an error to wait on. */
  private poster(): webApi.WebClient {
    const base = this.client();
    if (this.once?.for !== base) {
      const client = new webApi.WebClient(base.token, {
        slackApiUrl: base.slackApiUrl,
        logLevel: webApi.LogLevel.ERROR,
        timeout: 30_000,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      });
      this.once = { for: base, client };
    }
    return this.once.client;
  }
}
