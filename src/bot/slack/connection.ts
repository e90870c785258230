import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, type Receiver, SocketModeReceiver, webApi } from "@slack/bolt";
import type { SlackNetConfig } from "../../config/schema.js";
import { StartupError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import { isAuthError, platformError } from "./errors.js";
import { slackLogger } from "./logger.js";
import type { SlackRequestCheck } from "./request-check.js";

export interface SlackAuth {
  botUserId: string;
  botId?: string;
  teamId?: string;
}

export interface SlackConnectionOptions {
  config: SlackNetConfig;
  log: Logger;
  /** First delay before reconnecting a dropped socket (doubles up to 30 s). */
  reconnectMs?: number;
  /** Socket Mode: how long without a pong before the socket counts as dead. */
  pingTimeoutMs?: number;
  /** Adds the adapter's listeners to a freshly built App (and learns what it needs before events flow). */
  register(app: App, auth: SlackAuth): void | Promise<void>;
  /** The socket is up (again), or the HTTP endpoint listens. */
  connected(): void;
  /** HTTP mode: judges each request before Bolt does (signature, age, replay). */
  requestCheck?: SlackRequestCheck;
}

/**
 * The Bolt App and its receiver: Socket Mode when an app token is configured (no
 * public endpoint needed), else the HTTP Events API, whose requests are checked
 * against the signing secret (request-check.ts: a bad or stale signature gets
 * 401, a replay runs nothing; Bolt checks again behind it). Reconnecting
 * is done here rather than by the SDK, which gives up if Slack is unreachable
 * for a moment while it reconnects.
 */
export class SlackConnection {
  app?: App;
  auth?: SlackAuth;
  private socket?: SocketModeReceiver["client"];
  private server?: Server;
  private ready = false;
  private stopping = false;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private connecting = false;
  private socketUp = false;
  /** Which token the call under way uses, to name it when Slack refuses it. */
  private phase: "botToken" | "appToken" = "botToken";
  private waiters: (() => void)[] = [];
  private readonly slog;

  constructor(private readonly o: SlackConnectionOptions) {
    this.slog = slackLogger(o.log);
  }

  get mode(): "socket" | "http" {
    return this.o.config.appToken ? "socket" : "http";
  }

  /** The HTTP receiver's port, once listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  get client(): webApi.WebClient {
    if (!this.app) throw new Error("Slack is not connected yet");
    return this.app.client;
  }

  private clientOptions(): webApi.WebClientOptions {
    const url = this.o.config.apiUrl;
    return {
      ...(url ? { slackApiUrl: url.endsWith("/") ? url : `${url}/` } : {}),
      logger: this.slog,
      timeout: 30_000,
      // A 429 waits for Retry-After and counts as one of these attempts.
      retryConfig: { retries: 6, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    };
  }

  /** The Web API answers to the token (the outbox may deliver) — the socket may still be down. */
  isReady(): boolean {
    return this.ready && !this.stopping;
  }

  waitReady(signal?: AbortSignal): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((res, rej) => {
      this.waiters.push(res);
      signal?.addEventListener("abort", () => rej(new Error("stopped")), { once: true });
    });
  }

  async start(): Promise<void> {
    this.stopping = false;
    try {
      await this.connect();
    } catch (e) {
      const fatal = isAuthError(e)
        ? `Slack refused networks.slack.${this.phase} (${platformError(e)}); check the token`
        : (e as NodeJS.ErrnoException).code === "EADDRINUSE"
          ? `networks.slack.port ${this.o.config.port} is already in use`
          : undefined;
      if (fatal) {
        await this.stop();
        throw new StartupError(fatal);
      }
      this.o.log.warn({ err: (e as Error).message }, "Slack is not reachable; will keep trying");
      this.retryLater();
    }
  }

  private async connect(): Promise<void> {
    if (!this.app) {
      this.phase = "botToken";
      const web = new webApi.WebClient(this.o.config.botToken, this.clientOptions());
      const r = await web.auth.test();
      const auth: SlackAuth = { botUserId: r.user_id ?? "", botId: r.bot_id, teamId: r.team_id };
      const app = this.build(auth);
      await this.o.register(app, auth);
      this.app = app;
      this.auth = auth;
      this.o.log.info({ botUserId: auth.botUserId, team: auth.teamId, mode: this.mode }, "Slack: signed in");
    }
    this.ready = true;
    for (const w of this.waiters.splice(0)) w();
    if (this.socket) {
      this.phase = "appToken";
      await this.socket.start();
    } else if (!this.server) {
      const { port, host } = this.o.config;
      this.server = (await this.app.start(host ? { port, host } : { port })) as Server;
      this.o.log.info({ port: this.port }, "Slack: listening for Events API requests");
      this.o.connected();
    }
  }

  private build(auth: SlackAuth): App {
    const cfg = this.o.config;
    let receiver: Receiver;
    if (cfg.appToken) {
      const sm = new SocketModeReceiver({
        appToken: cfg.appToken,
        logger: this.slog,
        clientPingTimeout: this.o.pingTimeoutMs,
        autoReconnectEnabled: false,
        // The SDK's default here backs off without bound (1.3^n s, 100 times); the adapter retries after this.
        installerOptions: {
          clientOptions: {
            ...this.clientOptions(),
            retryConfig: { retries: 5, factor: 2, minTimeout: 1000, maxTimeout: 30_000 },
          },
        },
      });
      this.socket = sm.client;
      this.socket.on("connected", () => {
        this.attempt = 0;
        this.socketUp = true;
        this.o.log.info("Slack: socket connected");
        this.o.connected();
      });
      this.socket.on("disconnected", () => {
        this.socketUp = false;
        if (this.stopping || this.connecting) return;
        this.o.log.warn("Slack: socket dropped; reconnecting");
        this.retryLater();
      });
      receiver = sm;
    } else {
      const http = new HTTPReceiver({
        signingSecret: cfg.signingSecret ?? "",
        endpoints: "/slack/events",
        logger: this.slog,
      });
      if (this.o.requestCheck) http.requestListener = this.o.requestCheck.guard(http.requestListener);
      receiver = http;
    }
    const app = new App({
      token: cfg.botToken,
      botUserId: auth.botUserId,
      botId: auth.botId,
      receiver,
      logger: this.slog,
      clientOptions: this.clientOptions(),
    });
    app.error(async (e) => {
      this.o.log.warn({ err: e.message, code: e.code }, "Slack: a listener failed");
    });
    return app;
  }

  private retryLater(): void {
    if (this.stopping || this.timer || this.connecting) return;
    const base = this.o.reconnectMs ?? 1000;
    const delay = Math.min(base * 2 ** this.attempt++, 30_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connecting = true;
      this.connect()
        .catch((e) => this.o.log.warn({ err: (e as Error).message }, "Slack: reconnect failed; will retry"))
        .finally(() => {
          this.connecting = false;
          if (!this.stopping && this.socket && !this.socketUp) this.retryLater();
          if (!this.stopping && !this.app) this.retryLater();
        });
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Wait for the close handshake, so the socket is really gone when stop resolves.
    if (this.socket) await this.socket.disconnect();
    if (this.server) {
      await this.app?.stop();
      this.server = undefined;
    }
  }
}
