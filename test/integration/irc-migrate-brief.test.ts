import { join } from "node:path";
import { ROOT } from "../harness/child.js";
import { describe, expect, test } from "../harness/fixtures.js";
import type { IrcUser } from "../harness/irc.js";
import { RUNBOOK_COMMANDS } from "../harness/runbook-sshd.js";

/**
 * On IRC a run is said briefly (lines are paced about one a second there):
 * `!migrate start` puts at most 6 lines in the channel and the whole plan goes
 * to the starter by private message; `!migrate plan` sends it again; run mode
 * reports a step that went well in one line, and a failure with its output.
 * Real ngircd, real clients, real sshd.
 */
const LENA = "irc:mask:lena!~lena@127.0.0.1";

/** What the bot said in `channel` after `since` of its lines, up to its answer to a marker command. */
async function channelLinesUpToMarker(u: IrcUser, channel: string, since: number): Promise<string[]> {
  u.say(channel, "!rc-mode");
  await u.waitUntil(
    () =>
      u
        .linesFrom("changebot")
        .slice(since)
        .some((l) => /RC mode is off/.test(l.text)),
    "the marker's answer",
    20_000,
  );
  const said = u
    .linesFrom("changebot")
    .slice(since)
    .filter((l) => l.target.toLowerCase() === channel);
  return said
    .slice(
      0,
      said.findIndex((l) => /RC mode is off/.test(l.text)),
    )
    .map((l) => l.text);
}

/** The bot's private lines to `u` after `since` of its lines, once `last` has arrived. */
async function privateLines(u: IrcUser, since: number, last: RegExp): Promise<string[]> {
  const mine = () =>
    u
      .linesFrom("changebot")
      .slice(since)
      .filter((l) => l.target === u.nick);
  await u.waitUntil(() => mine().some((l) => last.test(l.text)), `a private line matching ${last}`, 20_000);
  return mine().map((l) => l.text);
}

describe("a run on IRC, briefly", () => {
  test("!migrate start of a 12-step runbook: at most 6 lines in the channel, the plan by private message, again with !migrate plan; !migrate run: a line a step", async ({
    ircBot,
    ircUser,
    runbookSshd,
  }) => {
    await ircBot({
      channels: ["#brief"],
      roles: { lead: [LENA], engineer: [LENA] },
      irc: { burst: 50, linesPerSecond: 50 },
      config: {
        runbooks: join(ROOT, "test/fixtures/runbooks-brief"),
        hosts: { box: runbookSshd.hostEntry() },
      },
    });
    try {
      const lena = await ircUser("lena");
      await lena.join("#brief");
      lena.say("#brief", "!migrate start brief-drill");
      await lena.waitForLine("changebot", /brief-drill run #1 started by lena/, 20_000);
      const said = await channelLinesUpToMarker(lena, "#brief", 0);
      expect(said.length).toBeLessThanOrEqual(6);
      expect(said[0]).toMatch(
        /^brief-drill run #1 started by lena: Brief form drill — 12 steps \(2 manual, 1 irreversible\)\.$/,
      );
      expect(said).toContain('Manual: 4 "Check the new site", 8 "Tell the users"');
      expect(said).toContain('Irreversible: 6 "Drop the old database"');
      expect(said.join("\n")).toMatch(/Next: step 1\/12 "Copy the uploads"/);
      expect(said).toContain("lena: the whole plan is in a private message; !migrate plan sends it again.");
      expect(said.some((l) => /^ ?\d+\. /.test(l))).toBe(false);
      // The whole plan, privately: every step on its line.
      const plan = await privateLines(lena, 0, /^12\. Sync eight/);
      expect(plan.filter((l) => /^ ?\d+\. /.test(l))).toHaveLength(12);
      expect(plan).toContain(" 6. Drop the old database [ssh, IRREVERSIBLE]");

      // !migrate plan: the plan again, privately, with how far each step has got.
      const before = lena.linesFrom("changebot").length;
      lena.say("#brief", "!migrate plan");
      const again = await privateLines(lena, before, /^Next: step 1\/12/);
      expect(again[0]).toMatch(/^brief-drill run #1 \(active\), started by lena/);
      expect(again).toContain(" 1. Copy the uploads [ssh, ← now]");
      const planSaid = await channelLinesUpToMarker(lena, "#brief", before);
      expect(planSaid).toEqual([
        "The plan of brief-drill run #1: 12 steps (2 manual, 1 irreversible).",
        "lena: the whole plan is in a private message.",
      ]);

      // !migrate run: each of the three automated steps in one line (not their output); the manual step's gate as always.
      runbookSshd.behave("rsync", { output: ["copied file-a", "copied file-b", "copied file-c"] });
      const atRun = lena.linesFrom("changebot").length;
      lena.say("#brief", "!migrate run");
      await lena.waitForLine("changebot", /Run mode stops at step 4\/12 "Check the new site"/, 20_000);
      const ran = await channelLinesUpToMarker(lena, "#brief", atRun);
      const steps = ran.filter((l) => /^#\d+ done/.test(l));
      expect(steps).toHaveLength(3);
      expect(steps[0]).toMatch(
        /^#\d+ done \(.+\): exit 0 .* — step 1\/12 "Copy the uploads" done \(#\d+\)\. Running step 2\/12 "Copy the config"\.$/,
      );
      expect(steps[2]).toMatch(/step 3\/12 "Copy the certificates" done .*Run mode stops at step 4\/12/);
      expect(ran.join("\n")).not.toMatch(/copied file/);
      expect(runbookSshd.calls()).toEqual(["rsync [one]", "rsync [two]", "rsync [three]"]);

      // A step that fails keeps its output.
      lena.say("#brief", "!migrate ack");
      await lena.waitForLine("changebot", /acknowledged by lena/, 20_000);
      runbookSshd.behave("lpndt", { exit: 3, stderr: ["no such service: stop"] });
      const atFail = lena.linesFrom("changebot").length;
      lena.say("#brief", "!migrate run");
      await lena.waitForLine(
        "changebot",
        /Run mode stops at step 5\/12 "Stop the old app": it failed/,
        20_000,
      );
      const failed = await channelLinesUpToMarker(lena, "#brief", atFail);
      expect(failed.join("\n")).toMatch(/FAILED/);
      expect(failed).toContain("no such service: stop");
    } finally {
      for (const c of RUNBOOK_COMMANDS) runbookSshd.behave(c, {});
    }
  });
});
