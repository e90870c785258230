import { describe, expect, test } from "../harness/fixtures.js";

/** changebot on a real ngircd, driven by real IRC clients. */
describe("changebot on IRC (ngircd)", () => {
  test("puts PQM in RC mode in the topic another client sees, and takes it out again", async ({
    ircBot,
    ircUser: user,
  }) => {
    await ircBot({ channels: ["#rc"], roles: { lead: ["irc:mask:alice!~alice@127.0.0.1"] } });
    const [alice, bob] = [await user("alice"), await user("bob")];
    await Promise.all([alice.join("#rc"), bob.join("#rc")]);
    alice.say("#rc", "!rc-mode on freeze for the DB deployment");
    await bob.waitUntil(() => bob.topics.get("#rc")?.includes("PQM in RC mode"), "the RC topic");
    await bob.waitForLine("changebot", /PQM is in RC mode \(alice/);
    alice.say("#rc", "!rc-mode off");
    await bob.waitUntil(
      () => bob.topics.has("#rc") && !bob.topics.get("#rc")!.includes("PQM in RC mode"),
      "the topic without RC mode",
    );
    expect(bob.topics.get("#rc")).toBe("");
  });

  test("answers when addressed by nick in the channel, and privately to a private message", async ({
    ircBot,
    ircUser: user,
  }) => {
    await ircBot({ channels: ["#talk"] });
    const carol = await user("carol");
    await carol.join("#talk");
    carol.say("#talk", "changebot: rc-mode");
    const inChannel = await carol.waitForLine("changebot", /RC mode is/);
    expect(inChannel.target).toBe("#talk");
    carol.say("changebot", "whoami");
    const priv = await carol.waitForLine("changebot", /carol/);
    expect(priv.target).toBe("carol");
    // Ordinary chat mentioning the bot is not a command.
    carol.say("#talk", "I think changebot is great");
    carol.say("#talk", "!rc-mode");
    await carol.waitUntil(() => carol.linesFrom("changebot").length >= 3, "the second reply");
    expect(carol.linesFrom("changebot").some((l) => /Unknown command/.test(l.text))).toBe(false);
  });

  test("keeps the topic within the server's TOPICLEN by shortening people's segment, and says so", async ({
    ircBot,
    ircUser: user,
  }) => {
    const t = await ircBot({ channels: ["#long"], roles: { lead: ["irc:mask:hank!~hank@127.0.0.1"] } });
    const max = t.irc.topicMaxLength;
    const hank = await user("hank");
    await hank.join("#long");
    const theirs = `Launchpad development ${"and more ".repeat(100)}`.slice(0, max - 10).trim();
    hank.raw(`TOPIC #long :${theirs}`);
    await hank.waitUntil(() => hank.topics.get("#long") === theirs, "hank's topic");
    hank.say("#long", "!rc-mode on");
    const note = await hank.waitForLine("changebot", /The topic is limited to \d+ characters here/);
    expect(note.text).toContain("Launchpad development");
    const topic = await hank.waitUntil(
      () =>
        hank.topics.get("#long")?.startsWith("PQM in RC mode | ") ? hank.topics.get("#long") : undefined,
      "the shortened topic",
    );
    expect(Buffer.byteLength(topic)).toBeLessThanOrEqual(max);
    expect(topic).toMatch(/^PQM in RC mode \| Launchpad development and more .*…$/);
  });

  test("registers under another nick when its nick is taken, and still answers", async ({
    ircBot,
    ircUser: user,
  }) => {
    const squatter = await user("changebot", "squatter");
    const t = await ircBot({ channels: ["#nick"] });
    try {
      // ngircd allows 9 characters, so "changebot_" is refused too.
      expect(t.irc.nick).toBe("changeb_2");
      const ivy = await user("ivy");
      await ivy.join("#nick");
      ivy.say("#nick", "changeb_2: rc-mode");
      await ivy.waitForLine("changeb_2", /RC mode is/);
    } finally {
      // The nick is free again for the next test's bot.
      await squatter.close();
    }
  });

  test("says it needs op when the channel is +t and it is not an operator", async ({
    ircBot,
    ircUser: user,
  }) => {
    const owner = await user("owner");
    await owner.join("#locked");
    owner.raw("MODE #locked +t");
    owner.raw("TOPIC #locked :people's topic");
    await owner.waitUntil(() => owner.topics.get("#locked") === "people's topic", "the owner's topic");
    await ircBot({ channels: ["#locked"], roles: { lead: ["irc:mask:owner!~owner@127.0.0.1"] } });
    owner.say("#locked", "!rc-mode on");
    await owner.waitForLine("changebot", /I need op in #locked to change the topic/);
    expect(owner.topics.get("#locked")).toBe("people's topic");
  });

  test("refuses a user who took a role holder's nick but not their hostmask", async ({
    ircBot,
    ircUser: user,
  }) => {
    const t = await ircBot({ channels: ["#spoof"], roles: { lead: ["irc:mask:dave!~dave@127.0.0.1"] } });
    const impostor = await user("dave", "mallory");
    await impostor.join("#spoof");
    impostor.say("#spoof", "!rc-mode on");
    const r = await impostor.waitForLine("changebot", /needs the role lead/);
    expect(r.text).toContain("dave!~mallory@127.0.0.1");
    expect(await t.services.redis.get(`${t.prefix}:rcmode`)).toBeNull();
  });

  test("splits a 600-byte line of multi-byte text into lines that arrive intact", async ({
    ircBot,
    ircUser: user,
  }) => {
    const t = await ircBot({ channels: ["#utf"] });
    const erin = await user("erin");
    await erin.join("#utf");
    const words = ["Grüße", "naïve", "日本語のテキスト", "🎉🚀", "Ωμέγα", "çà", "👩‍👩‍👧‍👦"];
    let text = "";
    for (let i = 0; Buffer.byteLength(text) < 600; i++)
      text += `${text ? " " : ""}${words[i % words.length]}${i}`;
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(600);
    await t.services.outbox.send({ network: "irc", target: "#utf", kind: "reply", text });
    const got = await erin.waitUntil(() => {
      const lines = erin.linesFrom("changebot").map((l) => l.text);
      return lines.join(" ").length >= text.length ? lines : undefined;
    }, "the whole text");
    expect(got.length).toBeGreaterThan(1);
    expect(got.join(" ")).toBe(text);
    for (const l of got) expect(l).not.toContain("\uFFFD");
  });
});
