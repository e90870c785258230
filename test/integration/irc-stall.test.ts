import { test as base, expect, type TestFixtures } from "../harness/fixtures.js";
import type { IrcUser } from "../harness/irc.js";
import type { IrcBot, IrcWorld } from "../harness/irc-world.js";
import type { TcpGate } from "../harness/tcp-gate.js";

// The bot reaches ngircd through a gate the test stalls; rita talks to ngircd directly.
const test = base.override("ircWorldOptions", { scope: "file" }, { gate: true });

const N = 5;
/** How long the short stalls last: the scenario's length, not a wait for the bot. */
const STALL_MS = 4000;
const numbered = (u: IrcUser, re: RegExp) =>
  u
    .linesFrom("changebot")
    .map((l) => re.exec(l.text)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
const REPLY = /^reply (\d+) of \d+$/;
const UNKNOWN = /^Unknown command !nosuch(\d+)\b/;
const oneToN = Array.from({ length: N }, (_, i) => i + 1);

/**
 * Once the bot has answered rita in `channel`, stalls the gate in `direction`
 * while N replies come due; with `commands`, rita sends !nosuchI after each.
 */
async function stallWhileRepliesDue(
  gate: TcpGate,
  t: IrcBot,
  rita: IrcUser,
  channel: string,
  direction: "both" | "toServer",
  commands: boolean,
): Promise<void> {
  await rita.join(channel);
  rita.say(channel, "!rc-mode");
  await rita.waitForLine("changebot", /RC mode is off/);
  gate.stall(direction);
  for (const i of oneToN) {
    await t.services.outbox.send({
      network: "irc",
      target: channel,
      kind: "reply",
      text: `reply ${i} of ${N}`,
    });
    if (commands) rita.say(channel, `!nosuch${i}`);
  }
}

/** A stall of STALL_MS in `direction` while replies come due and rita sends commands. */
async function shortStall(
  direction: "both" | "toServer",
  { ircWorld, ircBot, ircUser }: { ircWorld: IrcWorld } & Pick<TestFixtures, "ircBot" | "ircUser">,
) {
  const gate = ircWorld.gate;
  const t = await ircBot({ channels: ["#stall"] });
  const rita = await ircUser(direction === "both" ? "rita" : "rita1");
  const connections = gate.clientLines().length;
  await stallWhileRepliesDue(gate, t, rita, "#stall", direction, true);
  await new Promise((r) => setTimeout(r, STALL_MS));
  // Nothing got through while stalled, and the connection is still the same one.
  expect(rita.linesFrom("changebot")).toHaveLength(1);
  expect(t.irc.isConnected()).toBe(true);
  gate.unstall();
  await rita.waitUntil(
    () => numbered(rita, REPLY).includes(N) && numbered(rita, UNKNOWN).includes(N),
    "every reply and answer",
    20_000,
  );
  // Asked after the stall: answered after everything before it.
  rita.say("#stall", "!rc-mode");
  await rita.waitUntil(
    () =>
      rita.linesFrom("changebot").at(-1)?.text.startsWith("RC mode is off") &&
      rita.linesFrom("changebot").length > 1,
    "the status again",
  );
  expect(numbered(rita, REPLY)).toEqual(oneToN);
  expect(numbered(rita, UNKNOWN)).toEqual(oneToN);
  // All on the one connection: the stall never broke it.
  expect(gate.clientLines()).toHaveLength(connections);
}

test(
  "a stall of a few seconds in both directions: what the bot had to say and the commands sent meanwhile are answered once, in order",
  {
    timeout: 60_000,
  },
  ({ ircWorld, ircBot, ircUser }) => shortStall("both", { ircWorld, ircBot, ircUser }),
);

test(
  "a stall of what the bot writes (it still hears the server): the same, once and in order",
  {
    timeout: 60_000,
  },
  ({ ircWorld, ircBot, ircUser }) => shortStall("toServer", { ircWorld, ircBot, ircUser }),
);

test("a stall long enough for the ping timeout: the bot reconnects and what it had to say arrives once, in order", {
  timeout: 60_000,
}, async ({ ircWorld, ircBot, ircUser }) => {
  const gate = ircWorld.gate;
  const t = await ircBot({
    channels: ["#stall2"],
    // A short ping timeout so the test is quick; quietMs 0: every line waits for a fresh PONG.
    adapter: { ping: { intervalS: 1, timeoutS: 3, quietMs: 0 } },
  });
  const rita = await ircUser("rita2");
  const firstConn = gate.clientLines().length - 1;
  await stallWhileRepliesDue(gate, t, rita, "#stall2", "both", false);
  // Rita's commands now go to a connection that is about to die: IRC keeps no history for the bot.
  rita.say("#stall2", "!nosuch1");
  await t.irc.waitUntilDisconnected();
  await t.irc.waitConnected();
  await rita.waitUntil(() => numbered(rita, REPLY).includes(N), "every reply", 20_000);
  rita.say("#stall2", "!rc-mode");
  await rita.waitUntil(
    () => rita.linesFrom("changebot").filter((l) => l.text.startsWith("RC mode is off")).length === 2,
    "the status again",
  );
  expect(numbered(rita, REPLY)).toEqual(oneToN);
  // What rita said into the dying connection never reached the bot: IRC has no history to replay.
  expect(numbered(rita, UNKNOWN)).toEqual([]);
  // Each reply was written once, all on the new connection: none went into the stalled one.
  const written = gate
    .clientLines()
    .slice(firstConn)
    .map((c) => c.filter((l) => l.startsWith("PRIVMSG #stall2 :reply")).length);
  expect(written).toEqual([0, N]);
  expect(rita.linesFrom("changebot").at(-1)?.text).toMatch(/^RC mode is off/);
});
