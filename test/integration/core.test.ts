import { describe, expect, test } from "../harness/fixtures.js";

describe("the bot on a real redis-server", () => {
  test("turns RC mode on and off, keeping the topic true and announcing each change", async ({ bot }) => {
    const t = await bot({ roles: { lead: ["alice"] } });
    await t.adapter.say("!rc-mode on db-stable 10381", "alice");
    await t.adapter.waitFor((m) => m.kind === "topic" && m.text === "PQM in RC mode");
    await t.adapter.waitFor(
      (m) => m.kind === "announce" && m.text.startsWith("PQM is in RC mode (alice: db-stable 10381)"),
    );
    await t.adapter.waitFor((m) => /^#1 done/.test(m.text));
    await t.adapter.say("!rc-mode on", "alice");
    await t.adapter.waitFor(
      (m) => /^RC mode is ON since .* by alice: db-stable 10381\.$/.test(m.text) && m.kind === "alarm",
    );
    await t.adapter.say("!rc-mode off", "alice");
    await t.adapter.waitFor((m) => m.kind === "announce" && m.text.startsWith("PQM is out of RC mode"));
    await t.adapter.waitFor((m) => /^#2 done/.test(m.text));
    expect(t.adapter.topics.get("console")).toBe("");
  });

  test("writes who asked what, when, and what came of it to the audit stream", async ({ bot }) => {
    const t = await bot({ roles: { lead: ["alice"] } });
    await t.adapter.say("!rc-mode on", "alice");
    await t.adapter.say("!rc-mode on", "mallory");
    await t.adapter.waitFor((m) => /^#1 done/.test(m.text));
    const entries = (await t.services.audit.recent(10)).reverse();
    expect(entries.map((e) => [e.event, e.who, e.command, e.outcome])).toEqual([
      ["command", "console:alice", "!rc-mode on", "queued #1"],
      ["denied", "console:mallory", "rc-mode on", undefined],
      ["job", "console:alice", "rc-mode on", 'done: RC mode is on; topic segment "PQM in RC mode" set'],
    ]);
    expect(entries.every((e) => /^\d{4}-\d\d-\d\dT/.test(e.at!))).toBe(true);
  });
});
