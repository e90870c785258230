import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, RequestListener } from "node:http";
import type { Logger } from "../../core/log.js";

/**
 * The HTTP Events API's door: every request Slack sends is signed with the app's
 * signing secret over its timestamp and body. Before Bolt sees a request this
 * refuses, with 401, one whose signature does not match (`signature`) or whose
 * timestamp is more than five minutes from the bot's clock either way (`stale`),
 * and answers 200 without running anything to one whose exact signature was
 * seen already (`replay`: the same timestamp and body sent again, by an
 * attacker who captured it or by a retry). Each is logged and counted by reason
 * (`changebot_slack_requests_refused_total` on /metrics). Bolt's own check
 * still runs behind it.
 */

/** Slack's window for a request's timestamp, either way. */
export const MAX_SKEW_SECONDS = 5 * 60;
/** Signatures are remembered past the window, so no replay can outlive its memory. */
const REMEMBER_SECONDS = 2 * MAX_SKEW_SECONDS;
/** Largest body read (Bolt's own default limit). */
const BODY_LIMIT = 10 * 1024 * 1024;

export type RefusalReason = "signature" | "stale" | "replay";

/** Signatures already taken: true the first time one is offered (Redis SET NX in a running bot). */
export interface SignatureMemory {
  firstSeen(network: string, id: string): Promise<boolean>;
}

/** In-process memory, until the bot's Redis is handed over (useServices) and in tests. */
export class LocalSignatures implements SignatureMemory {
  private readonly seen = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}
  async firstSeen(_network: string, id: string): Promise<boolean> {
    const t = this.now();
    for (const [k, until] of this.seen) if (until < t) this.seen.delete(k);
    if (this.seen.has(id)) return false;
    this.seen.set(id, t + REMEMBER_SECONDS * 1000);
    return true;
  }
}

export interface RequestCheckOptions {
  signingSecret: string;
  network: string;
  log: Logger;
  memory: () => SignatureMemory;
  /** Milliseconds since the epoch (a test's clock). */
  now?: () => number;
}

/** What the check says of one request: go on, or the status to answer and why. */
export type Verdict = { ok: true } | { ok: false; status: number; reason: RefusalReason };

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
};

export class SlackRequestCheck {
  private readonly counts = new Map<RefusalReason, number>();
  private readonly now: () => number;

  constructor(private readonly o: RequestCheckOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Requests refused so far, by reason. */
  refused(): ReadonlyMap<RefusalReason, number> {
    return this.counts;
  }

  /** Judges one request by its headers and raw body. */
  async verdict(req: IncomingMessage, body: Buffer): Promise<Verdict> {
    // Slack's SSL check is unsigned by design; Bolt answers it and drops anything else in it.
    if (
      header(req, "content-type")?.startsWith("application/x-www-form-urlencoded") &&
      new URLSearchParams(body.toString()).get("ssl_check") === "1"
    )
      return { ok: true };
    const ts = header(req, "x-slack-request-timestamp") ?? "";
    const sig = header(req, "x-slack-signature") ?? "";
    const nowSec = Math.floor(this.now() / 1000);
    if (!/^\d{1,12}$/.test(ts) || Math.abs(nowSec - Number(ts)) > MAX_SKEW_SECONDS)
      return this.refuse(req, "stale", 401);
    const want = `v0=${createHmac("sha256", this.o.signingSecret).update(`v0:${ts}:`).update(body).digest("hex")}`;
    const a = Buffer.from(sig);
    const b = Buffer.from(want);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return this.refuse(req, "signature", 401);
    if (!(await this.o.memory().firstSeen(`${this.o.network}-sig`, want.slice(3))))
      return this.refuse(req, "replay", 200);
    return { ok: true };
  }

  private refuse(req: IncomingMessage, reason: RefusalReason, status: number): Verdict {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.o.log.warn(
      { network: this.o.network, reason, from: req.socket.remoteAddress, path: req.url },
      reason === "replay"
        ? "Slack: a request already taken came again; ran nothing"
        : "Slack: refused a request that is not signed by Slack or is out of date",
    );
    return { ok: false, status, reason };
  }

  /**
   * Wraps a receiver's request listener: a POST's body is read here (and left on
   * the request as `rawBody`, where Bolt looks for it), judged, and passed on only
   * if it may run. Anything else goes straight through.
   */
  guard(inner: RequestListener): RequestListener {
    return (req, res) => {
      if (req.method !== "POST") return inner(req, res);
      void readBody(req)
        .then(async (body) => {
          const v = await this.verdict(req, body);
          if (v.ok) {
            (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
            return inner(req, res);
          }
          res.writeHead(v.status).end();
        })
        .catch((e: Error & { status?: number }) => {
          this.o.log.warn({ network: this.o.network, err: e.message }, "Slack: could not read a request");
          if (!res.headersSent) res.writeHead(e.status ?? 400).end();
        });
    };
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        req.removeAllListeners("data");
        req.resume();
        reject(Object.assign(new Error("request body too large"), { status: 413 }));
        return;
      }
      parts.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}
