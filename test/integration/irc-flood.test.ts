import { test as base, expect } from "../harness/fixtures.js";

// ngircd with its default flood penalties (no MaxPenaltyTime = 0): it handles about
// three commands a second from a client, so 200 lines take over a minute whatever we do.
const test = base.override("ngircdOptions", { scope: "file" }, { penalties: true });

test("delivers a 200-line output completely, in order, without being disconnected for flooding", {
  timeout: 150_000,
}, async ({ ircBot, ircUser }) => {
  const t = await ircBot({
    channels: ["#flood"],
    irc: { burst: 5, linesPerSecond: 3 },
  });
  let reconnects = 0;
  t.irc.onConnected(() => reconnects++);
  const frank = await ircUser("frank");
  await frank.join("#flood");
  const lines = Array.from({ length: 200 }, (_, i) => `output line ${i + 1} of 200: ${"·".repeat(40)}`);
  await t.services.outbox.send({
    network: "irc",
    target: "#flood",
    kind: "progress",
    text: lines.join("\n"),
  });
  await frank.waitUntil(() => frank.linesFrom("changebot").length >= 200, "all 200 lines", 120_000);
  expect(frank.linesFrom("changebot").map((l) => l.text)).toEqual(lines);
  // Still there and still answering.
  frank.say("#flood", "!rc-mode");
  await frank.waitForLine("changebot", /RC mode is off/, 20_000);
  expect(t.irc.isConnected()).toBe(true);
  expect(reconnects).toBe(0);
});
