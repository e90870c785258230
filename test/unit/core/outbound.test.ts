import { describe, expect, it } from "vitest";
import { editOf, inJob, replyTo, toChannel, topicMessage } from "../../../src/core/outbound.js";
import { formatHhmm, formatUtc, formatUtcStamp, formatUtcTime, isoTime } from "../../../src/core/time.js";

const T = Date.UTC(2026, 11, 1, 14, 0, 5);

describe("what the bot says, built in one place", () => {
  it("answers a message where it came from, in its thread", () => {
    const msg = { network: "slack", channel: "C1", threadId: "171.5" };
    expect(replyTo(msg, "hi")).toEqual({
      network: "slack",
      target: "C1",
      kind: "reply",
      text: "hi",
      threadId: "171.5",
    });
    expect(replyTo({ network: "irc", channel: "#ops" }, "no", { kind: "alarm", ref: "j1" })).toEqual({
      network: "irc",
      target: "#ops",
      kind: "alarm",
      text: "no",
      ref: "j1",
    });
  });

  it("says a job's lines in its thread, under its ack, prefixed with its id", () => {
    const job = { id: 42, ref: "j42", network: "irc", channel: "#ops" };
    expect(inJob(job, "done (1s): ok", { outputLines: 2 })).toEqual({
      network: "irc",
      target: "#ops",
      kind: "reply",
      text: "#42 done (1s): ok",
      threadOf: "j42",
      outputLines: 2,
    });
    expect(inJob({ ...job, threadId: "T" }, "step 1", { kind: "progress" })).toMatchObject({
      kind: "progress",
      threadId: "T",
      threadOf: "j42",
    });
  });

  it("builds announcements, topics and edits", () => {
    expect(toChannel("irc", "#ops", "Downtime", { kind: "announce" })).toEqual({
      network: "irc",
      target: "#ops",
      kind: "announce",
      text: "Downtime",
    });
    const segs = [{ text: "PQM in RC mode", owner: "rc-mode" }, { text: "Welcome" }];
    expect(topicMessage("irc", "#ops", segs)).toEqual({
      network: "irc",
      target: "#ops",
      kind: "topic",
      text: "PQM in RC mode | Welcome",
      topic: segs,
    });
    expect(editOf("slack", "C1", "171.5", "done", [])).toEqual({
      network: "slack",
      target: "C1",
      kind: "reply",
      text: "done",
      editsId: "171.5",
      blocks: [],
    });
  });
});

describe("times, formatted in one place", () => {
  it("writes UTC for people and ISO for machines", () => {
    expect(formatUtc(T)).toBe("2026-12-01 14:00 UTC");
    expect(formatHhmm(T)).toBe("14:00");
    expect(formatUtcTime(T)).toBe("14:00:05 UTC");
    expect(formatUtcStamp(T)).toBe("2026-12-01 14:00:05 UTC");
    expect(isoTime(T)).toBe("2026-12-01T14:00:05.000Z");
  });
});
