import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capturingLogger } from "../harness/log.js";
import { DEV, SIGNING_SECRET } from "../harness/slack-bot.js";
import { eventBody, postEvent, signSlack, slashPayload, userMessage } from "../harness/slack-events.js";
import { slackSuite } from "../harness/slack-suite.js";

/**
 * Hostile requests at the Slack HTTP Events API (issue #16): a signed request
 * sent again runs once; wrong signatures and timestamps more than five minutes
 * off (either way) get 401 and run nothing; each is logged and counted on
 * /metrics by reason.
 */
const captured = capturingLogger();

describe("Slack HTTP endpoint under hostile requests", () => {
  const t = slackSuite({ mode: "http", log: captured.log });

  const refusedCounts = async () => {
    const text = await t.bot.bot.web!.metrics.text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(
      /^changebot_slack_requests_refused_total\{network="slack",reason="(\w+)"\} (\d+)$/gm,
    ))
      out[m[1]!] = Number(m[2]);
    return out;
  };

  it("a replayed signed request (same signature and timestamp) runs once and is counted", async () => {
    const { fake, bot } = t;
    const url = bot.eventsUrl();
    const body = JSON.stringify(eventBody(userMessage(DEV, "UDEV", "!ping")));
    const ts = Math.floor(Date.now() / 1000);
    const send = (stamp: number) =>
      fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-slack-request-timestamp": String(stamp),
          "x-slack-signature": signSlack(SIGNING_SECRET, stamp, body),
        },
        body,
      });
    expect((await send(ts)).status).toBe(200);
    expect((await send(ts)).status).toBe(200);
    expect((await send(ts)).status).toBe(200);
    // Slack's own retry is signed afresh: it passes the door, and the message's id drops it.
    expect((await send(ts + 1)).status).toBe(200);
    await fake.waitFor(() => fake.posted().find((m) => /#\d+ done/.test(m.text)), "the ping's result");

    // A slash command (no event id) replayed as is, too.
    const slash = slashPayload(DEV, "ULEAD", "rc-mode on replay test");
    const form = new URLSearchParams(slash as unknown as Record<string, string>).toString();
    const post = () =>
      fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(ts),
          "x-slack-signature": signSlack(SIGNING_SECRET, ts, form),
        },
        body: form,
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    await fake.waitForCall("conversations.setTopic", (a) => String(a.topic).includes("PQM in RC mode"));

    // One ping and one RC mode change: nothing ran twice.
    const jobs = await bot.bot.services.jobs.recent(10);
    expect(jobs.map((j) => j.name).sort()).toEqual(["ping", "rc-mode"]);
    expect(fake.posted().filter((m) => m.text.startsWith("queued #"))).toHaveLength(2);
    expect((await refusedCounts()).replay).toBe(3);
    expect(
      captured.lines.filter((l) => l.reason === "replay" && /already taken/.test(String(l.msg))),
    ).toHaveLength(3);
  });

  it("generated forgeries and stale or future timestamps all get 401, run nothing, and are counted", async () => {
    const { fake, bot } = t;
    const url = bot.eventsUrl();
    const now = () => Math.floor(Date.now() / 1000);
    let forged = 0;
    let stale = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.oneof(
          fc.constant("wrong-secret"),
          fc.string({ maxLength: 70 }).map((s) => ({ signature: s })),
          fc.constant({ signature: "v0=" }),
          fc.constant({ signature: `v1=${"0".repeat(64)}` }),
        ),
        async (text, how) => {
          const body = eventBody(userMessage(DEV, "ULEAD", `!rc-mode on ${text}`));
          const r = await postEvent(
            url,
            body,
            typeof how === "string"
              ? { secret: how }
              : { secret: SIGNING_SECRET, signature: how.signature.replace(/[^\x21-\x7e]/g, "") },
          );
          expect(r.status).toBe(401);
          forged++;
        },
      ),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 301, max: 10 ** 7 }), fc.integer({ min: -(10 ** 7), max: -301 })),
        async (skew) => {
          const body = eventBody(userMessage(DEV, "ULEAD", "!rc-mode on stale"));
          expect(
            (await postEvent(url, body, { secret: SIGNING_SECRET, timestamp: now() + skew })).status,
          ).toBe(401);
          stale++;
        },
      ),
      { numRuns: 30 },
    );
    // Not a number at all counts as out of date too.
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": "soon",
        "x-slack-signature": "v0=",
      },
      body: "{}",
    });
    expect(res.status).toBe(401);
    stale++;

    // Still answering the real thing; and nothing forged ran.
    expect(
      (await postEvent(url, eventBody(userMessage(DEV, "UDEV", "!rc-mode")), { secret: SIGNING_SECRET }))
        .status,
    ).toBe(200);
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("RC mode is off")), "the status");
    expect(fake.callsTo("conversations.setTopic")).toHaveLength(0);
    expect(await bot.bot.services.jobs.recent(10)).toEqual([]);
    expect(await refusedCounts()).toEqual({ signature: forged, stale });
    expect(captured.text()).not.toContain(SIGNING_SECRET);
  });
});
