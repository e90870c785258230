import { describe, expect, it } from "vitest";
import { DEV } from "../harness/slack-bot.js";
import { eventBody, userMessage } from "../harness/slack-events.js";
import { SlackFaults } from "../harness/slack-faults.js";
import { slackSuite } from "../harness/slack-suite.js";

/**
 * A Slack Web API that fails at random for a stretch. The issue asks for a
 * minute; the suite uses 12 s of faults so it stays quick. SLACK_FAULT_MS=60000
 * gives the full minute, SLACK_FAULT_SEED=N replays a seed (printed every run).
 */
const FAULT_MS = Number(process.env.SLACK_FAULT_MS ?? 12_000);
const SEED = Number(process.env.SLACK_FAULT_SEED ?? 16);
const N = 8;

describe("Slack Web API failing at random", () => {
  const t = slackSuite();

  it("every announcement, reply and threaded result arrives once, in order, after the faults", {
    timeout: FAULT_MS + 120_000,
  }, async () => {
    const { fake, bot } = t;
    const faults = new SlackFaults(SEED, FAULT_MS);
    fake.faults = faults;
    console.log(
      `Slack faults: seed ${SEED}, ${FAULT_MS} ms (SLACK_FAULT_SEED / SLACK_FAULT_MS to replay or lengthen)`,
    );
    for (let i = 1; i <= N; i++) {
      await bot.bot.services.outbox.send({
        network: "slack",
        target: DEV,
        kind: "announce",
        text: `announcement ${i} of ${N}`,
      });
      await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!ping")));
    }
    const done = () => fake.posted().filter((m) => /^#\d+ done/.test(m.text)).length;
    await fake.waitFor(() => faults.over && done() >= N, `${N} results after the faults`, FAULT_MS + 90_000);
    // Something asked after recovery is answered after everything before it.
    await fake.deliver(eventBody(userMessage(DEV, "UDEV", "!rc-mode")));
    await fake.waitFor(() => fake.posted().find((m) => m.text.startsWith("RC mode is off")), "the status");
    console.log(`Slack faults: seed ${SEED}: ${JSON.stringify(faults.counts)}`);
    expect(faults.counts.ratelimited).toBeGreaterThan(0);
    expect(faults.counts.serverErrors).toBeGreaterThan(0);

    const posted = fake.posted();
    const texts = posted.map((m) => m.text);
    // Exactly once each: no text twice (every one is numbered).
    expect(new Set(texts).size).toBe(texts.length);
    const channel = posted.filter((m) => m.channel === DEV && !m.thread_ts);
    const announcements = channel.filter((m) => m.text.includes("announcement")).map((m) => m.text);
    expect(announcements).toEqual(
      Array.from({ length: N }, (_, i) => expect.stringContaining(`announcement ${i + 1} of ${N}`)),
    );
    const acks = channel.filter((m) => /^queued #\d+/.test(m.text));
    const jobs = acks.map((m) => Number(/^queued #(\d+)/.exec(m.text)?.[1]));
    expect(jobs).toHaveLength(N);
    expect(jobs).toEqual([...jobs].sort((a, b) => a - b));
    // Each job's result, once, in its ack's thread.
    for (const [i, ack] of acks.entries()) {
      const inThread = posted.filter((m) => m.thread_ts === ack.ts).map((m) => m.text);
      expect(inThread).toEqual([expect.stringMatching(new RegExp(`^#${jobs[i]} done`))]);
    }
    expect(channel.at(-1)?.text).toMatch(/^RC mode is off/);
  });
});
