import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { ManualClock } from "../../src/core/clock.js";
import { startTestBot } from "../harness/bot.js";
import { startRedis } from "../harness/servers.js";

/** Access: a non-loopback host needs web.auth; pages need a session; a login link works once and briefly. */
describe("web access", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let t: Awaited<ReturnType<typeof startTestBot>>;
  const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
  beforeAll(async () => {
    redis = await startRedis();
    t = await startTestBot({
      redisUrl: redis.url,
      clock,
      roles: { admin: ["tester"], engineer: ["eve"] },
      config: {
        roles: { admin: ["console:tester"], engineer: ["console:eve", "web:pat"] },
        web: { auth: { secret: "s".repeat(40), loginTtl: "5m", proxyHeader: "X-Forwarded-User" } },
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  });
  const url = () => t.bot.web!.url;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url()}${path}`, { redirect: "manual", headers });
  const loginLink = async (user: string) => {
    const n = t.adapter.sent.length;
    const p = t.adapter.waitFor((m) => t.adapter.sent.indexOf(m) >= n && /login\//.test(m.text));
    await t.adapter.say("!web login", user);
    const m = await p;
    return new URL(/(http:\/\/\S+)/.exec(m.text)![1]!).pathname;
  };

  it("refuses a non-loopback web.host without web.auth, naming the key", () => {
    expect(() => parseConfig({ web: { host: "0.0.0.0" } })).toThrow(
      /web\.host: "0\.0\.0\.0" is reachable from other hosts and web\.auth is not set/,
    );
    expect(() => parseConfig({ web: { host: "0.0.0.0", auth: {} } })).not.toThrow();
    expect(() => parseConfig({ web: { host: "127.0.0.1" } })).not.toThrow();
  });

  it("redirects a page without a session to the login explanation", async () => {
    const r = await get("/runs/ofn-server-move-1");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?next=%2Fruns%2Fofn-server-move-1");
    const login = await (await get("/login")).text();
    expect(login).toContain("!web login");
    // Operations endpoints need no login.
    expect((await get("/healthz")).status).toBe(200);
  });

  it("a login link starts a session once; a used or expired link is refused", async () => {
    const path = await loginLink("eve");
    const first = await get(path);
    expect(first.status).toBe(303);
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toMatch(/^changebot_session=/);
    const page = await get("/", { cookie });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect((await get(path)).status).toBe(403);
    // An engineer is not an admin: the queue dashboard is refused.
    expect((await get("/admin/queues", { cookie })).status).toBe(403);

    const late = await loginLink("eve");
    clock.advance(5 * 60_000 + 1);
    const r = await get(late);
    expect(r.status).toBe(403);
    expect(await r.text()).toContain("too old");
  });

  it("shows an admin the queue dashboard, loaded at its first request", async () => {
    const first = await get(await loginLink("tester"));
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    const board = await get("/admin/queues", { cookie });
    expect(board.status).toBe(200);
    expect(board.headers.get("content-type")).toContain("text/html");
    expect(await board.text()).toContain("changebot queues");
    const api = await get("/admin/queues/api/queues", { cookie });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names.length).toBeGreaterThanOrEqual(3);
    // Without a session, the dashboard (and its API) asks for a login like any page.
    expect((await get("/admin/queues/api/queues")).status).not.toBe(200);
  });

  it("trusts the proxy header as the identity web:<user>, whose roles apply", async () => {
    expect((await get("/", { "x-forwarded-user": "pat" })).status).toBe(200);
    expect((await get("/admin/queues", { "x-forwarded-user": "pat" })).status).toBe(403);
  });
});
