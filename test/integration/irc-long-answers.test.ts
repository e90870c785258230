import { SHIPPED_RUNBOOKS, shippedHosts } from "../harness/config.js";
import { describe, expect, test } from "../harness/fixtures.js";
import type { IrcUser } from "../harness/irc.js";

/**
 * On IRC a long answer floods the channel (lines are paced about one a second):
 * !help answers briefly in the channel and in full by private message; with
 * web.baseUrl set, the plan at !migrate start is a short summary and the run
 * page's link (commands/answer.ts). Real ngircd, real clients.
 */
const BASE = "https://changebot.example.org";
const OFN =
  "new_ip=127.0.0.2 new_domain=prod2.example.org domain=example.org old_login=u@old.example.org old_db_host=old.example.org";

/**
 * What the bot said in `channel` after `since` lines, up to its answer to a marker
 * command sent once the answer has begun (`first`): the outbox keeps the order, so
 * whatever the answer said comes before the marker's answer.
 */
async function channelLinesUpToMarker(
  u: IrcUser,
  channel: string,
  since: number,
  first: RegExp,
): Promise<string[]> {
  await u.waitForLine("changebot", first, 20_000);
  u.say(channel, "!rc-mode");
  await u.waitForLine("changebot", /RC mode is off/, 20_000);
  const said = u
    .linesFrom("changebot")
    .slice(since)
    .filter((l) => l.target.toLowerCase() === channel);
  const upTo = said.findIndex((l) => /RC mode is off/.test(l.text));
  return said.slice(0, upTo).map((l) => l.text);
}

describe("long answers on IRC", () => {
  test("!help in a channel: at most 3 lines there, the whole list by private message", async ({
    ircBot,
    ircUser,
  }) => {
    await ircBot({ channels: ["#help"] });
    const amy = await ircUser("amy");
    await amy.join("#help");
    amy.say("#help", "!help");
    const inChannel = await channelLinesUpToMarker(amy, "#help", 0, /^Commands you may run/);
    expect(inChannel.length).toBeGreaterThan(0);
    expect(inChannel.length).toBeLessThanOrEqual(3);
    expect(inChannel.join("\n")).toMatch(/!migrate/);
    expect(inChannel.join("\n")).toMatch(/private message/);
    // The whole list, one command a line, privately to amy (it may still be arriving).
    const privately = () => amy.linesFrom("changebot").filter((l) => l.target === "amy");
    await amy.waitUntil(
      () => privately().some((l) => /^!whoami — /.test(l.text)),
      "the whole list privately",
      20_000,
    );
    const lines = privately().map((l) => l.text);
    expect(lines[0]).toMatch(/^Commands you may run/);
    expect(lines.length).toBeGreaterThan(6);
    expect(lines).toContain(
      "!help [command] — the commands you may run; with a command, its usage and an example",
    );
    // Asked privately, the answer is whole where it was asked.
    const before = amy.linesFrom("changebot").length;
    amy.say("changebot", "!help");
    await amy.waitUntil(
      () =>
        amy
          .linesFrom("changebot")
          .slice(before)
          .filter((l) => /^!whoami — /.test(l.text)).length,
      "the whole list again",
      20_000,
    );
    expect(
      amy
        .linesFrom("changebot")
        .slice(before)
        .every((l) => l.target === "amy"),
    ).toBe(true);
  });

  test("!migrate start of the OFN runbook: at most 6 lines in the channel, with the run page's link", async ({
    ircBot,
    ircUser,
    runbookSshd,
  }) => {
    await ircBot({
      channels: ["#move"],
      roles: { lead: ["irc:mask:lena!~lena@127.0.0.1"] },
      config: {
        runbooks: SHIPPED_RUNBOOKS,
        hosts: shippedHosts(runbookSshd.hostEntry()),
        web: { baseUrl: BASE },
      },
    });
    const lena = await ircUser("lena");
    await lena.join("#move");
    lena.say("#move", `!migrate start ofn-server-move ${OFN}`);
    const said = await channelLinesUpToMarker(lena, "#move", 0, /run #1 started/);
    expect(said.join("\n")).toMatch(/^ofn-server-move run #1 started by lena/);
    expect(said.length).toBeLessThanOrEqual(6);
    expect(said).toContain(`All of it: ${BASE}/runs/ofn-server-move-1`);
    // The plan itself (its numbered steps) did not go to the channel.
    expect(said.some((l) => /^ ?\d+\. /.test(l))).toBe(false);
  });

  test("without web.baseUrl the channel gets the brief form and the starter the whole plan privately", async ({
    ircBot,
    ircUser,
    runbookSshd,
  }) => {
    await ircBot({
      channels: ["#whole"],
      roles: { lead: ["irc:mask:lena!~lena@127.0.0.1"] },
      irc: { burst: 50, linesPerSecond: 50 },
      config: { runbooks: SHIPPED_RUNBOOKS, hosts: shippedHosts(runbookSshd.hostEntry()) },
    });
    const lena = await ircUser("lena");
    await lena.join("#whole");
    lena.say("#whole", `!migrate start ofn-server-move ${OFN}`);
    const said = await channelLinesUpToMarker(lena, "#whole", 0, /run #1 started/);
    expect(said.length).toBeLessThanOrEqual(6);
    expect(said.some((l) => /^ ?\d+\. /.test(l))).toBe(false);
    expect(said.join("\n")).not.toMatch(/https?:\/\//);
    expect(said).toContain("lena: the whole plan is in a private message; !migrate plan sends it again.");
    const privately = await lena.waitUntil(
      () => {
        const mine = lena.linesFrom("changebot").filter((l) => l.target === "lena");
        return mine.some((l) => /^Next: /.test(l.text)) && mine;
      },
      "the whole plan privately",
      20_000,
    );
    expect(privately.filter((l) => /^ ?\d+\. /.test(l.text)).length).toBeGreaterThan(20);
  });
});
