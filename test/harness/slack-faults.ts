/** A small seeded generator (mulberry32): the same seed gives the same sequence of draws. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One call's failure: its HTTP status, Retry-After for a 429, and whether the call took effect first. */
export interface Fault {
  status: number;
  retryAfter?: number;
  tookEffect: boolean;
}

/** Methods whose effect may happen before a 5xx is answered (what a gateway timeout does). */
const WRITES = new Set(["chat.postMessage", "chat.update", "reactions.add", "conversations.setTopic"]);

/**
 * A stretch of a failing Slack Web API: for `ms` from now, each call fails
 * with probability `rate` — a 429 with Retry-After (1–2 s), or a 500, 502 or
 * 503 — drawn from a seeded generator so a failure can be replayed with its
 * seed. Half of the 5xx on a write come after the write was done, as when
 * Slack's gateway times out on a request its backend finished: the client
 * cannot tell that the message is there. Counts what it did.
 */
export class SlackFaults {
  readonly counts = { calls: 0, ratelimited: 0, serverErrors: 0, tookEffect: 0 };
  private readonly random: () => number;
  private readonly until: number;

  constructor(
    readonly seed: number,
    readonly ms: number,
    private readonly rate = 0.5,
  ) {
    this.random = seeded(seed);
    this.until = Date.now() + ms;
  }

  /** Whether the stretch of failures is over. */
  get over(): boolean {
    return Date.now() >= this.until;
  }

  /** What the call to `method` gets now: a fault, or undefined to answer it normally. */
  pick(method: string): Fault | undefined {
    if (this.over) return undefined;
    this.counts.calls++;
    if (this.random() >= this.rate) return undefined;
    if (this.random() < 0.35) {
      this.counts.ratelimited++;
      return { status: 429, retryAfter: 1 + Math.floor(this.random() * 2), tookEffect: false };
    }
    this.counts.serverErrors++;
    const status = [500, 502, 503][Math.floor(this.random() * 3)] ?? 500;
    const tookEffect = WRITES.has(method) && this.random() < 0.5;
    if (tookEffect) this.counts.tookEffect++;
    return { status, tookEffect };
  }
}

/** The HTTP answer a fault gives (a JSON body, as Slack's own errors have; gateways may send HTML). */
export function faultAnswer(f: Fault): { status: number; body: unknown; headers: Record<string, string> } {
  return {
    status: f.status,
    body: { ok: false, error: f.status === 429 ? "ratelimited" : "internal_error" },
    headers: f.retryAfter ? { "retry-after": String(f.retryAfter) } : {},
  };
}
