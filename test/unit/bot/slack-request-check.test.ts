import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { LocalSignatures, SlackRequestCheck } from "../../../src/bot/slack/request-check.js";
import { silentLogger } from "../../../src/core/log.js";

const SECRET = "s3cret";
const T0 = 1_800_000_000;
const sign = (ts: number | string, body: string, secret = SECRET) =>
  `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
const request = (headers: Record<string, string>) =>
  ({ headers, socket: { remoteAddress: "127.0.0.1" }, url: "/slack/events" }) as unknown as IncomingMessage;

function check(nowSec = T0) {
  let now = nowSec * 1000;
  const memory = new LocalSignatures(() => now);
  const c = new SlackRequestCheck({
    signingSecret: SECRET,
    network: "slack",
    log: silentLogger(),
    memory: () => memory,
    now: () => now,
  });
  const judge = (ts: number | string, body: string, signature = sign(ts, body)) =>
    c.verdict(
      request({
        "content-type": "application/json",
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": signature,
      }),
      Buffer.from(body),
    );
  return { c, judge, advance: (s: number) => (now += s * 1000) };
}

describe("SlackRequestCheck", () => {
  it("takes a signed request whose timestamp is within five minutes either way, and refuses one just outside", async () => {
    const { c, judge } = check();
    expect(await judge(T0 - 300, "a")).toEqual({ ok: true });
    expect(await judge(T0 + 300, "b")).toEqual({ ok: true });
    expect(await judge(T0 - 301, "c")).toEqual({ ok: false, status: 401, reason: "stale" });
    expect(await judge(T0 + 301, "d")).toEqual({ ok: false, status: 401, reason: "stale" });
    expect(await judge("12e3", "e")).toMatchObject({ reason: "stale" });
    expect(Object.fromEntries(c.refused())).toEqual({ stale: 3 });
  });

  it("refuses a signature made with another secret, another body or another scheme", async () => {
    const { c, judge } = check();
    expect(await judge(T0, "x", sign(T0, "x", "other"))).toMatchObject({ status: 401, reason: "signature" });
    expect(await judge(T0, "x", sign(T0, "y"))).toMatchObject({ reason: "signature" });
    expect(await judge(T0, "x", sign(T0, "x").replace("v0=", "v1="))).toMatchObject({ reason: "signature" });
    expect(await judge(T0, "x", "")).toMatchObject({ reason: "signature" });
    expect(c.refused().get("signature")).toBe(4);
  });

  it("answers a replay with 200 and runs it not, for as long as the timestamp is valid", async () => {
    const { c, judge, advance } = check();
    expect(await judge(T0, "body")).toEqual({ ok: true });
    expect(await judge(T0, "body")).toEqual({ ok: false, status: 200, reason: "replay" });
    advance(299);
    expect(await judge(T0, "body")).toMatchObject({ reason: "replay" });
    advance(2);
    expect(await judge(T0, "body")).toMatchObject({ reason: "stale" });
    expect(Object.fromEntries(c.refused())).toEqual({ replay: 2, stale: 1 });
  });

  it("lets Slack's unsigned SSL check through to Bolt, which answers it", async () => {
    const { c } = check();
    const v = await c.verdict(
      request({ "content-type": "application/x-www-form-urlencoded" }),
      Buffer.from("ssl_check=1&token=x"),
    );
    expect(v).toEqual({ ok: true });
  });
});
