import { describe, expect, it } from "vitest";
import { ircLines, LONG_LINES, shapeAnswer } from "../../../src/commands/answer.js";
import type { InboundMessage } from "../../../src/core/messages.js";

const BASE = "https://changebot.example.org";
const from = (network: string, channel: string): InboundMessage => ({
  network,
  channel,
  user: { network, id: "amy", display: "amy" },
  text: "!x",
  id: "m1",
});
const long = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n");
const short = "one\ntwo";

describe("the long-answer rule", () => {
  it("in an IRC channel, with a page and baseUrl: the brief and the link, at most a few lines", () => {
    const out = shapeAnswer(from("irc", "#ops"), long, { page: "/runs/x-1", brief: "x run #1" }, BASE);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ target: "#ops", text: `x run #1\nAll of it: ${BASE}/runs/x-1` });
    expect(ircLines(out[0]!.text)).toBeLessThanOrEqual(LONG_LINES);
  });

  it("in an IRC channel without baseUrl: the whole answer (nothing to link to)", () => {
    const out = shapeAnswer(from("irc", "#ops"), long, { page: "/runs/x-1", brief: "x run #1" }, undefined);
    expect(out.map((m) => m.text)).toEqual([long]);
  });

  it("privately: the brief in the channel, the whole answer to the asker's nick, with or without baseUrl", () => {
    for (const base of [undefined, BASE]) {
      const out = shapeAnswer(from("irc", "#ops"), long, { brief: "the families", privately: true }, base);
      expect(out.map((m) => [m.target, m.text])).toEqual([
        ["#ops", "the families\namy: the whole answer is in a private message."],
        ["amy", long],
      ]);
    }
  });

  it("a short answer, or one asked in an IRC private message, is said whole (with its link)", () => {
    expect(shapeAnswer(from("irc", "#ops"), short, { page: "/jobs/4" }, BASE)[0]!.text).toBe(
      `${short}\n${BASE}/jobs/4`,
    );
    const priv = shapeAnswer(from("irc", "amy"), long, { page: "/jobs/4", privately: true }, BASE);
    expect(priv.map((m) => [m.target, m.text])).toEqual([["amy", `${long}\n${BASE}/jobs/4`]]);
  });

  it("the console and Slack keep the whole answer; the link goes before the command output", () => {
    for (const net of ["console", "slack"]) {
      const out = shapeAnswer(from(net, "C1"), long, { page: "/runs/x-1", privately: true }, BASE);
      expect(out.map((m) => m.text)).toEqual([`${long}\n${BASE}/runs/x-1`]);
    }
    const job = shapeAnswer(
      from("slack", "C1"),
      "#4 done\nout 1\nout 2",
      { page: "/jobs/4", outputLines: 2 },
      BASE,
    );
    expect(job[0]).toMatchObject({ text: `#4 done\n${BASE}/jobs/4\nout 1\nout 2`, outputLines: 2 });
  });

  it("counts an IRC line too long for one message as the lines it is split into", () => {
    expect(ircLines("a\n\nb")).toBe(2);
    expect(ircLines("x".repeat(1000))).toBe(3);
  });
});
