import fc from "fast-check";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { fuzzRuns, hostileLine } from "../harness/fuzz-lines.js";
import { collectUnhandled } from "../harness/unhandled.js";

/**
 * Hostile input at the IRC adapter through a real ngircd (issue #16): generated
 * lines (the router's fuzz generator, without the NUL IRC cannot carry) from a
 * user with roles and one without, in the channel and privately. Every line the
 * bot sends, as another client receives it, fits IRC's 512 bytes with CRLF; the
 * bot neither crashes nor leaves a rejected promise, and still answers !ping.
 * CHANGEBOT_FUZZ_IRC_RUNS sets the count; the seed is fixed and printed.
 */
const RUNS = fuzzRuns(300, process.env.CHANGEBOT_FUZZ_IRC_RUNS);
const SEED = Number(process.env.CHANGEBOT_FUZZ_SEED ?? 1616);
const IRC_LINE_BYTES = 512;

describe("hostile lines at the IRC adapter (ngircd)", () => {
  const unhandled = collectUnhandled();

  test(`${RUNS} lines (seed ${SEED}): every reply line within 512 bytes, no crash, !ping still answered`, async ({
    ircBot,
    ircUser,
  }) => {
    const t = await ircBot({
      channels: ["#fuzz"],
      roles: { admin: ["irc:mask:alice!~alice@127.0.0.1"] },
      irc: { burst: 50, linesPerSecond: 500 },
    });
    const [alice, mallory] = [await ircUser("alice"), await ircUser("mallory")];
    await Promise.all([alice.join("#fuzz"), mallory.join("#fuzz")]);
    // Every line from the bot as the server relays it, CRLF not included.
    const relayed: string[] = [];
    for (const u of [alice, mallory])
      u.client.on("raw", (e: { line: string; from_server: boolean }) => {
        if (e.from_server && /^(@\S+ )?:changebot!/.test(e.line)) relayed.push(e.line);
      });
    const cases = fc.sample(fc.tuple(hostileLine, fc.boolean(), fc.boolean()), {
      numRuns: RUNS,
      seed: SEED,
    });
    for (const [line, admin, inPrivate] of cases) {
      const who = admin ? alice : mallory;
      const text = line.replace(/\0/g, "");
      if (text.trim()) who.say(inPrivate ? "changebot" : "#fuzz", text);
    }
    alice.say("#fuzz", "!ping");
    await alice.waitForLine("changebot", /#\d+ done.*pong/, 120_000);
    await eventually(async () => expect(await t.services.outbox.pending("irc")).toBe(0), {
      timeoutMs: 60_000,
    });

    const over = relayed.filter((l) => Buffer.byteLength(l) + 2 > IRC_LINE_BYTES);
    expect(over, `seed ${SEED}: lines over ${IRC_LINE_BYTES} bytes`).toEqual([]);
    // The bot did answer the garbage (not just stay silent), and is still there.
    expect(relayed.length).toBeGreaterThan(RUNS / 4);
    expect(t.irc.isConnected()).toBe(true);
    expect(unhandled).toEqual([]);
  }, 240_000);
});
