import { test as base, expect } from "../harness/fixtures.js";

// The bot reaches ngircd through the gate, so after the restart rita is back in
// the channel before the bot can be: she sees everything it says from its rejoin on.
const test = base.override("ircWorldOptions", { scope: "file" }, { gate: true });

const TOTAL = 60;
const numberOf = (text: string) => Number(/^output line (\d+) of 60/.exec(text)?.[1]);

test("finishes a long output cut off by a server restart: the rest once each, in order, nothing repeated", {
  timeout: 60_000,
}, async ({ ircWorld, ircBot, ircUser }) => {
  const gate = ircWorld.gate;
  const t = await ircBot({
    channels: ["#resume"],
    irc: { burst: 1, linesPerSecond: 5 },
  });
  const rita = await ircUser("rita");
  await rita.join("#resume");
  const lines = Array.from(
    { length: TOTAL },
    (_, i) => `output line ${i + 1} of ${TOTAL}: ${"·".repeat(30)}`,
  );
  await t.services.outbox.send({
    network: "irc",
    target: "#resume",
    kind: "progress",
    text: lines.join("\n"),
  });
  await rita.waitUntil(() => rita.linesFrom("changebot").length >= 10, "the first 10 lines");

  gate.hold();
  await ircWorld.kill();
  await t.irc.waitUntilDisconnected();
  const before = rita.linesFrom("changebot").map((l) => numberOf(l.text));
  await ircWorld.restart();
  const back = await ircUser("rita");
  await back.join("#resume");
  gate.release();

  await back.waitForLine("changebot", /^output line 60 of 60/, 30_000);
  // Anything sent again after the last line would show up now.
  back.say("#resume", "!rc-mode");
  await back.waitForLine("changebot", /RC mode is off/);
  const after = back.linesFrom("changebot").map((l) => l.text);
  const resumed = after.filter((l) => l.startsWith("output line")).map(numberOf);

  // What the bot wrote on each connection, as the gate saw it pass.
  const [first, ...later] = gate
    .clientLines()
    .map((c) =>
      c.filter((l) => l.startsWith("PRIVMSG #resume :output line")).map((l) => numberOf(l.slice(17))),
    );
  const [dead, resumedConn] = [first ?? [], later.flat()];
  // Every line was written exactly once, in order, across the two connections.
  expect([...dead, ...resumedConn]).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
  // rita saw the first lines before the kill; a line written in the instant the
  // server died is lost with it (written on the dead connection, never relayed).
  expect(before.length).toBeGreaterThanOrEqual(10);
  expect(dead.slice(0, before.length)).toEqual(before);
  // After the reconnect: the rest, each once, in order, nothing the server relayed again.
  expect(resumedConn.length).toBeGreaterThan(0);
  expect(resumed).toEqual(resumedConn);
  expect(after.at(-1)).toMatch(/RC mode is off/);
});
