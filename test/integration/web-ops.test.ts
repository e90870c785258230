import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { startTestBot } from "../harness/bot.js";
import { eventually } from "../harness/eventually.js";
import { startIrcBot, startNgircd } from "../harness/irc.js";
import { startRedis } from "../harness/servers.js";

/** /readyz follows Redis and the IRC server; /metrics is Prometheus text whose counters move with commands. */
const get = async (url: string) => {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, text: await r.text(), type: r.headers.get("content-type") ?? "" };
};

/** Every sample line of the Prometheus text format: name{labels} value. */
function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) {
      if (line && !/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line))
        throw new Error(`bad comment: ${line}`);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (-?[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(m[1]!, Number(m[3]));
  }
  return out;
}

describe("operations endpoints", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    // Each test's bot first, then its servers (a bot stops cleanly only while its Redis answers).
    for (const c of cleanup) await c().catch(() => {});
  });

  it("/readyz turns 503 naming Redis when it stops, and 200 when it is back", {
    timeout: 60_000,
  }, async () => {
    let redis = await startRedis();
    const t = await startTestBot({ redisUrl: redis.url });
    cleanup.push(async () => {
      await t.stop();
      await redis.stop();
    });
    const url = t.bot.web!.url;
    expect(await get(`${url}/healthz`)).toMatchObject({ status: 200 });
    expect(await get(`${url}/readyz`)).toMatchObject({ status: 200, text: "ready\n" });
    const port = redis.port;
    await redis.stop();
    const down = await eventually(
      async () => {
        const r = await get(`${url}/readyz`);
        return r.status === 503 ? r : undefined;
      },
      { what: "503" },
    );
    expect(down.text).toMatch(/^not ready: redis: not reachable/);
    expect((await get(`${url}/healthz`)).status).toBe(200);
    redis = await startRedis({ port });
    await eventually(async () => ((await get(`${url}/readyz`)).status === 200 ? true : undefined), {
      what: "ready again",
      timeoutMs: 15_000,
    });
  });

  it("/readyz names the IRC network while its server is gone", { timeout: 60_000 }, async () => {
    const redis = await startRedis();
    let ircd = await startNgircd();
    const t = await startIrcBot({ redisUrl: redis.url, port: ircd.port, channels: ["#ops"] });
    cleanup.push(async () => {
      await t.stop();
      await ircd.stop();
      await redis.stop();
    });
    const url = t.bot.web!.url;
    expect((await get(`${url}/readyz`)).status).toBe(200);
    await ircd.kill();
    const down = await eventually(
      async () => {
        const r = await get(`${url}/readyz`);
        return r.status === 503 ? r : undefined;
      },
      { what: "503" },
    );
    expect(down.text).toContain("irc: not connected");
    expect(down.text).not.toContain("redis");
    ircd = await ircd.restart();
    await eventually(async () => ((await get(`${url}/readyz`)).status === 200 ? true : undefined), {
      what: "ready again",
      timeoutMs: 30_000,
    });
  });

  it("/metrics parses as Prometheus text and its counters move when commands run", async () => {
    const redis = await startRedis();
    const t = await startTestBot({ redisUrl: redis.url, clock: new ManualClock(Date.now()) });
    cleanup.push(async () => {
      await t.stop();
      await redis.stop();
    });
    const url = t.bot.web!.url;
    const first = await get(`${url}/metrics`);
    expect(first.type).toContain("text/plain");
    const before = parseProm(first.text);
    expect(before.get('changebot_network_connected{network="console"}')).toBe(1);
    expect([...before.keys()].some((k) => k.startsWith("changebot_process_cpu"))).toBe(true);
    const ok = 'changebot_commands_total{family="ping",outcome="ok"}';
    expect(before.get(ok) ?? 0).toBe(0);
    const done = t.adapter.waitFor((m) => /#\d+ done/.test(m.text) || /pong|done/i.test(m.text));
    await t.adapter.say("!ping");
    await done;
    await t.adapter.say("!nosuchcommand");
    const after = await eventually(
      async () => {
        const m = parseProm((await get(`${url}/metrics`)).text);
        return [...m.keys()].some((k) => k.startsWith('changebot_job_duration_seconds_count{kind="ping"'))
          ? m
          : undefined;
      },
      { what: "the ping job's duration" },
    );
    expect(after.get(ok)).toBe(1);
    expect(after.get('changebot_commands_total{family="unknown",outcome="unknown"}')).toBe(1);
    expect(after.has('changebot_queue_depth{queue="work",state="wait"}')).toBe(true);
    expect(after.has('changebot_outbox_delay_seconds{network="console"}')).toBe(true);
  });

  it("counts what came before the first request; requests arriving together while the pages load all get answers", async () => {
    const redis = await startRedis();
    const t = await startTestBot({ redisUrl: redis.url, clock: new ManualClock(Date.now()) });
    cleanup.push(async () => {
      await t.stop();
      await redis.stop();
    });
    const done = t.adapter.waitFor((m) => /#\d+ done/.test(m.text));
    await t.adapter.say("!ping");
    await done;
    const url = t.bot.web!.url;
    // The server has had no request yet: these come together, while its pages are loaded.
    type Res = Awaited<ReturnType<typeof get>>;
    const [health, ready, metrics, overview] = (await Promise.all(
      ["/healthz", "/readyz", "/metrics", "/"].map((p) => get(`${url}${p}`)),
    )) as [Res, Res, Res, Res];
    expect([health.status, ready.status, metrics.status, overview.status]).toEqual([200, 200, 200, 200]);
    expect(health.text).toBe("ok\n");
    expect(overview.type).toContain("text/html");
    expect(parseProm(metrics.text).get('changebot_commands_total{family="ping",outcome="ok"}')).toBe(1);
  });
});
