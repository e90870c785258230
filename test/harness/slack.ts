import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { parseArgs, SlackWorkspace } from "./slack-api.js";
import { clickPayload, type eventBody } from "./slack-events.js";
import { faultAnswer, type SlackFaults } from "./slack-faults.js";

/**
 * A fake Slack on loopback for the real Bolt App: the Web API methods the bot
 * uses (at /api/) and a Socket Mode WebSocket (apps.connections.open hands out
 * its URL). It records every call, keeps posted messages and topics, can answer
 * a method with a 429 or an error (or fail at random for a while: `faults`), and
 * delivers events and button clicks as Slack does, resolving on the bot's ack.
 */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  at: number;
}

interface Failure {
  method: string;
  status: number;
  retryAfter?: number;
  error?: string;
  times: number;
}

export class FakeSlack extends SlackWorkspace {
  readonly calls: ApiCall[] = [];
  /** Socket Mode connections that got their hello, ever. */
  helloCount = 0;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private failures: Failure[] = [];
  /** A stretch of random 429s and 5xx (see SlackFaults); set to start it. */
  faults?: SlackFaults;
  private readonly acks = new Map<string, (payload: unknown) => void>();
  private listeners: (() => void)[] = [];

  private constructor() {
    super();
    this.server = createServer((req, res) => {
      void this.onHttp(req).then(
        ({ status, body, headers }) => {
          res.writeHead(status, { "content-type": "application/json", ...headers });
          res.end(JSON.stringify(body));
        },
        (e) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
    });
    this.server.on("upgrade", (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  static async start(): Promise<FakeSlack> {
    const f = new FakeSlack();
    await new Promise<void>((r) => f.server.listen(0, "127.0.0.1", r));
    return f;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** The next `times` calls of a method fail: a 429 with Retry-After, or ok:false with an error. */
  failNext(method: string, f: { status?: number; retryAfter?: number; error?: string; times?: number }) {
    this.failures.push({
      method,
      status: f.status ?? 200,
      retryAfter: f.retryAfter,
      error: f.error,
      times: f.times ?? 1,
    });
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves when `check` returns something truthy (checked now and after every call and ack). */
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((res, rej) => {
      const fn = () => {
        const v = check();
        if (!v) return;
        clearTimeout(t);
        this.listeners = this.listeners.filter((l) => l !== fn);
        res(v);
      };
      const t = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== fn);
        const seen = this.calls.map((c) => `${c.method} ${JSON.stringify(c.args).slice(0, 160)}`).join("\n");
        rej(new Error(`timed out waiting for ${what}; calls so far:\n${seen}`));
      }, timeoutMs);
      this.listeners.push(fn);
    });
  }

  waitForCall(
    method: string,
    pred: (args: Record<string, unknown>) => boolean = () => true,
    timeoutMs?: number,
  ) {
    return this.waitFor(
      () => this.calls.find((c) => c.method === method && pred(c.args)),
      `a ${method} call`,
      timeoutMs,
    );
  }

  private notify() {
    for (const l of [...this.listeners]) l();
  }

  private async onHttp(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (url.pathname.startsWith("/upload/")) {
      const form = await new Request(url, {
        method: "POST",
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body: raw,
      }).formData();
      const file = form.get("body") ?? form.get("file");
      this.uploads.set(url.pathname.slice(8), typeof file === "string" ? file : await (file as Blob).text());
      return { status: 200, body: { ok: true } };
    }
    const method = url.pathname.replace(/^\/api\//, "");
    const args = parseArgs(req.headers["content-type"] ?? "", raw.toString());
    this.calls.push({ method, args, token, at: Date.now() });
    const f = this.failures.find((x) => x.method === method && x.times > 0);
    const fault = f ? undefined : this.faults?.pick(method);
    let result: { status: number; body: unknown; headers?: Record<string, string> };
    if (fault) {
      if (fault.tookEffect) this.answer(method, args, token, `127.0.0.1:${this.port}`);
      result = faultAnswer(fault);
    } else if (f) {
      f.times--;
      result =
        f.status === 429
          ? {
              status: 429,
              body: { ok: false, error: "ratelimited" },
              headers: { "retry-after": String(f.retryAfter ?? 1) },
            }
          : { status: f.status, body: { ok: false, error: f.error ?? "internal_error" } };
    } else {
      result = { status: 200, body: this.answer(method, args, token, `127.0.0.1:${this.port}`) };
    }
    this.notify();
    return result;
  }

  private onSocket(ws: WebSocket) {
    this.sockets.add(ws);
    ws.on("close", () => {
      this.sockets.delete(ws);
      this.notify();
    });
    ws.on("message", (data) => {
      const { envelope_id, payload } = JSON.parse(String(data)) as { envelope_id: string; payload?: unknown };
      this.acks.get(envelope_id)?.(payload);
      this.acks.delete(envelope_id);
    });
    ws.send(JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A0TEST" } }));
    this.helloCount++;
    this.notify();
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  /** Waits until `n` Socket Mode connections have been greeted since the fake started. */
  waitForSocket(n = 1): Promise<true> {
    return this.waitFor(() => this.helloCount >= n && this.sockets.size > 0, `socket connection #${n}`);
  }

  /** Sends an envelope on the open socket; resolves when the bot acknowledges it. */
  private envelope(type: string, payload: unknown, retryAttempt = 0): Promise<unknown> {
    const ws = [...this.sockets].find((s) => s.readyState === WebSocket.OPEN);
    if (!ws) return Promise.reject(new Error("no Socket Mode connection"));
    const envelope_id = `env-${++this.seq}`;
    const acked = new Promise<unknown>((res) => this.acks.set(envelope_id, res));
    ws.send(
      JSON.stringify({
        envelope_id,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        ...(type === "events_api"
          ? { retry_attempt: retryAttempt, retry_reason: retryAttempt ? "timeout" : "" }
          : {}),
      }),
    );
    return acked;
  }

  /** Delivers an event over Socket Mode (retryAttempt > 0: a redelivery); resolves on the bot's ack. */
  async deliver(body: ReturnType<typeof eventBody>, retryAttempt = 0): Promise<void> {
    await this.envelope("events_api", body, retryAttempt);
  }

  /** A click on button `index` of a message the bot posted; resolves on the bot's ack with the payload sent. */
  async click(ts: string, user: string, index = 0, actionTs = `${Date.now() / 1000}`): Promise<unknown> {
    const m = this.messages.get(ts);
    if (!m) throw new Error(`the bot posted no message ${ts}`);
    const payload = clickPayload(m, user, index, actionTs);
    await this.interactive(payload);
    return payload;
  }

  /** Delivers a slash command (again, with the same payload); resolves on the bot's ack. */
  slash(payload: unknown): Promise<unknown> {
    return this.envelope("slash_commands", payload);
  }

  /** Delivers an interactive payload (again); resolves on the bot's ack, with what the ack answered. */
  interactive(payload: unknown): Promise<unknown> {
    return this.envelope("interactive", payload);
  }

  /** Asks every client to reconnect, as Slack does every few hours ("refresh_requested"). */
  refreshSockets(): void {
    for (const s of this.sockets) s.send(JSON.stringify({ type: "disconnect", reason: "refresh_requested" }));
  }

  /** Cuts every socket without a close handshake (a network drop). */
  dropSockets(): void {
    for (const s of this.sockets) s.terminate();
  }

  /** Waits (up to 5 s) for clients to close their sockets, then shuts down. Stop the bot first. */
  async stop(): Promise<void> {
    await this.waitFor(() => this.sockets.size === 0, "the bot to close its socket", 5000).catch(() => {
      for (const s of this.sockets) s.terminate();
    });
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
