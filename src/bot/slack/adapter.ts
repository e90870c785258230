import type { App } from "@slack/bolt";
import type { SlackNetConfig } from "../../config/schema.js";
import { UserError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type {
  ChatAdapter,
  InboundMessage,
  OutboundMessage,
  ReceiptState,
  SentRef,
  TopicChange,
} from "../../core/messages.js";
import type { Services } from "../../domain/services.js";
import { RedisSeen } from "../../infra/seen.js";
import { handleClick } from "./actions.js";
import { SlackChannels } from "./channels.js";
import { type SlackAuth, SlackConnection } from "./connection.js";
import { isPermanent, platformError, topicRefusal } from "./errors.js";
import { unescapeSlack } from "./format.js";
import { homeState } from "./home-data.js";
import { HomePublisher } from "./home-publisher.js";
import { type SlackMessageEvent, slackIdentity, toInbound } from "./inbound.js";
import { UserNames } from "./names.js";
import { ProgressMessages } from "./progress.js";
import { addReceipt } from "./receipts.js";
import {
  LocalSignatures,
  MAX_SKEW_SECONDS,
  type SignatureMemory,
  SlackRequestCheck,
} from "./request-check.js";
import { openScheduleForm, opensScheduleForm, registerScheduleForm, scheduleLine } from "./schedule-form.js";
import { SlackSender } from "./send.js";
import { logSlash, type SlashPayload, slashToInbound } from "./slash.js";

export interface SlackAdapterOptions {
  config: SlackNetConfig;
  log: Logger;
  /** Network name (default "slack"). */
  network?: string;
  /** First delay before reconnecting a dropped socket. */
  reconnectMs?: number;
  /** Socket Mode: how long without a pong before the socket counts as dead. */
  pingTimeoutMs?: number;
  /** App Home: how often open Home tabs are looked at again, and the least time between two publishes for one person. */
  homeRefreshMs?: number;
  homeMinIntervalMs?: number;
}

/**
 * The Slack adapter (Bolt): messages in the configured channels, app mentions and
 * DMs become InboundMessages; the outbox's messages become chat.postMessage,
 * chat.update (progress edits one message), files (long output) and Block Kit
 * buttons; the topic is conversations.setTopic, 250 characters at most.
 */
export class SlackAdapter implements ChatAdapter {
  readonly network: string;
  readonly topicMaxLength = 250;
  readonly measureTopic = (s: string) => [...s].length;
  private handler?: (m: InboundMessage) => unknown;
  /** The router's role check (given with the services). */
  private refusal?: (m: InboundMessage) => string | undefined;
  private topicHandlers: ((c: TopicChange) => void)[] = [];
  private connectedHandlers: (() => void)[] = [];
  private readonly conn: SlackConnection;
  private readonly names: UserNames;
  private readonly progress = new ProgressMessages();
  private readonly log: Logger;
  private readonly sender: SlackSender;
  private readonly chans: SlackChannels;
  private home?: HomePublisher;
  private readonly homeOpts: { refreshMs?: number; minIntervalMs?: number };
  /** HTTP mode: signatures taken, in memory until the bot's Redis is handed over. */
  private signatures: SignatureMemory = new LocalSignatures();
  private readonly requestCheck?: SlackRequestCheck;

  constructor(o: SlackAdapterOptions) {
    this.network = o.network ?? "slack";
    this.log = o.log.child({ network: this.network });
    this.chans = new SlackChannels(o.config.channels);
    this.homeOpts = { refreshMs: o.homeRefreshMs, minIntervalMs: o.homeMinIntervalMs };
    if (!o.config.appToken && o.config.signingSecret)
      this.requestCheck = new SlackRequestCheck({
        signingSecret: o.config.signingSecret,
        network: this.network,
        log: this.log,
        memory: () => this.signatures,
      });
    this.conn = new SlackConnection({
      requestCheck: this.requestCheck,
      config: o.config,
      log: this.log,
      reconnectMs: o.reconnectMs,
      pingTimeoutMs: o.pingTimeoutMs,
      register: (app, auth) => this.register(app, auth),
      connected: () => {
        for (const h of this.connectedHandlers) h();
      },
    });
    this.names = new UserNames(() => this.conn.client, this.log);
    this.sender = new SlackSender(() => this.conn.client, this.log);
  }

  /** HTTP mode: requests refused before they became messages, by reason (bad signature, stale, replay). */
  refusedRequests(): ReadonlyMap<string, number> {
    return this.requestCheck?.refused() ?? new Map();
  }

  /** The HTTP receiver's port, once listening (HTTP mode). */
  get port(): number | undefined {
    return this.conn.port;
  }

  onMessage(handler: (m: InboundMessage) => unknown): void {
    this.handler = handler;
  }
  onTopic(handler: (c: TopicChange) => void): void {
    this.topicHandlers.push(handler);
  }
  onConnected(handler: () => void): void {
    this.connectedHandlers.push(handler);
  }
  start(): Promise<void> {
    return this.conn.start();
  }
  /** App Home reads the bot's state through its services (given once they exist). */
  useServices(s: Services, refusal: (m: InboundMessage) => string | undefined): void {
    this.refusal = refusal;
    // Every front end behind one address shares what it has taken.
    this.signatures = new RedisSeen(s.redis, s.prefix, 2 * MAX_SKEW_SECONDS);
    this.home?.stop();
    this.home = new HomePublisher({
      client: () => this.conn.client,
      log: this.log,
      state: () => homeState(s),
      // The "Schedule downtime" button is shown to those who may schedule.
      maySchedule: (who) => !refusal(scheduleLine(this.network, who, who.id)),
      refreshMs: this.homeOpts.refreshMs,
      minIntervalMs: this.homeOpts.minIntervalMs,
    });
    this.home.start();
  }

  /** A command through the bot's handler; what it changed shows on open Home tabs. */
  private async run(m: InboundMessage): Promise<unknown> {
    const r = await this.handler?.(m);
    this.home?.refreshAll();
    return r;
  }

  stop(): Promise<void> {
    this.home?.stop();
    return this.conn.stop();
  }
  isConnected(): boolean {
    return this.conn.isReady();
  }
  waitConnected(signal?: AbortSignal): Promise<void> {
    return this.conn.waitReady(signal);
  }
  channels(): string[] {
    return this.chans.ids();
  }

  private async register(app: App, auth: SlackAuth): Promise<void> {
    await this.chans.resolve(app.client, this.log).catch((e) => {
      this.log.warn(
        { error: platformError(e) ?? (e as Error).message },
        "Slack: could not look channel names up",
      );
    });
    const onEvent = async (ev: SlackMessageEvent, teamId?: string) => {
      if (ev.subtype === "channel_topic" && ev.channel) {
        const change = {
          network: this.network,
          channel: ev.channel,
          topic: unescapeSlack(ev.topic ?? ""),
          by: ev.user,
        };
        for (const h of this.topicHandlers) h(change);
        return;
      }
      const msg = toInbound(ev, {
        network: this.network,
        botUserId: auth.botUserId,
        teamId: teamId ?? auth.teamId,
        channels: this.chans.ids(),
        display: (id) => id,
      });
      if (!msg) return;
      // Only people get their name looked up; bots are ignored by the router anyway.
      if (!msg.fromBot) msg.user.display = await this.names.get(msg.user.id);
      await this.run(msg);
    };
    app.event("message", async ({ event, body }) => onEvent(event as SlackMessageEvent, body.team_id));
    app.event("app_mention", async ({ event, body }) => onEvent(event as SlackMessageEvent, body.team_id));
    // Any slash command Slack routes to this app (the manifest declares /changebot).
    app.command(/.*/, async ({ ack, command, client }) => {
      await ack();
      const p = command as SlashPayload;
      const m = await slashToInbound(this.network, p, this.names);
      // The form opens only for someone who may schedule; anyone else gets the command's own
      // refusal, privately, as the bare command typed by them would.
      if (opensScheduleForm(p.text ?? "") && !this.refusal?.(m))
        return openScheduleForm(client, p.trigger_id, p.channel_id);
      logSlash(this.log, p, await this.run(m));
    });
    registerScheduleForm(app, {
      network: this.network,
      names: this.names,
      log: this.log,
      run: (m) => this.run(m),
      refusal: (m) => this.refusal?.(m),
    });
    app.event("app_home_opened", async ({ event, body }) => {
      if (event.tab !== "home" || !this.home) return;
      const name = await this.names.get(event.user);
      await this.home.opened(slackIdentity(this.network, event.user, body.team_id, name));
    });
    app.action({ type: "block_actions", action_id: /^changebot_action_/ }, async ({ ack, body, action }) => {
      await ack();
      await handleClick({
        network: this.network,
        body,
        action,
        names: this.names,
        log: this.log,
        run: (m) => this.run(m),
      });
    });
  }

  async send(given: OutboundMessage): Promise<SentRef> {
    const msg = { ...given, target: this.chans.id(given.target) };
    const { target, threadId } = msg;
    if (msg.kind !== "progress" || !threadId) {
      if (threadId) this.progress.forget(target, threadId);
      return this.sender.deliver(msg);
    }
    // Progress edits the thread's progress message, if it has one, instead of adding another.
    const sent = await this.sender.deliver({
      ...msg,
      replaces: msg.replaces ?? this.progress.current(target, threadId),
    });
    if (sent.id) this.progress.remember(target, threadId, sent.id);
    return sent;
  }

  receipt(msg: InboundMessage, state: ReceiptState): Promise<void> {
    return this.conn.isReady() ? addReceipt(this.conn.client, this.log, msg, state) : Promise.resolve();
  }

  async setTopic(channel: string, topic: string): Promise<void> {
    try {
      await this.conn.client.conversations.setTopic({ channel: this.chans.id(channel), topic });
    } catch (e) {
      const code = platformError(e);
      if (code && isPermanent(e)) throw new UserError(topicRefusal(code, channel));
      throw e;
    }
  }

  async getTopic(channel: string): Promise<string | undefined> {
    const r = await this.conn.client.conversations.info({ channel: this.chans.id(channel) });
    const value = (r.channel as { topic?: { value?: string } } | undefined)?.topic?.value;
    return value === undefined ? undefined : unescapeSlack(value);
  }
}
