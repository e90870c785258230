import { describe, expect, it } from "vitest";
import { renderText } from "../../../src/bot/slack/format.js";
import { slackRunEvent, withRunEvents } from "../../../src/bot/slack/run-events.js";
import type { RunEvent } from "../../../src/domain/runbook/events.js";
import { marked } from "../../../src/domain/runbook/rehearsal.js";
import { briefStartText, runText } from "../../../src/domain/runbook/render-text.js";

/**
 * One renderer per network for the same run events: the plain text (console,
 * IRC, every network's fallback) says exactly what the engine said before it
 * spoke in events; Slack's says it in mrkdwn.
 */

const drop = { n: 3, of: 7, title: "Drop the old <db>" };
const dns = { n: 2, of: 7, title: "Switch DNS" };
const ack: RunEvent = {
  type: "step-awaiting-ack",
  step: dns,
  prompt: "manual, for losa:\nPoint the name at the new host.\nThen flush.",
  acker: "losa (held by console:olga)",
};
const done: RunEvent[] = [
  { type: "step-done", step: dns, end: { how: "acked", by: "oscar", note: "TTL was low" } },
  {
    type: "next-hint",
    status: "active",
    next: { step: drop, describe: "local: dropdb old", irreversible: true },
  },
];

describe("the plain-text renderer", () => {
  it("says a waiting manual step, a step done with what comes next, a rollback's end and an abort as before", () => {
    expect(runText([ack])).toBe(
      'step 2/7 "Switch DNS" — manual, for losa:\nPoint the name at the new host.\nThen flush.\nWhen it is done, !migrate ack [note] by losa (held by console:olga).',
    );
    expect(runText(done)).toBe(
      'step 2/7 "Switch DNS" acknowledged by oscar: TTL was low. Next: step 3/7 "Drop the old <db>" (local: dropdb old; IRREVERSIBLE: a second person confirms) — !migrate next',
    );
    expect(
      runText([
        { type: "undo-passed", steps: [3, 2] },
        { type: "undo-exhausted" },
        { type: "rollback-finished", runbook: "eng", seq: 4 },
      ]),
    ).toBe(
      "Nothing to undo for step(s) 3, 2. Nothing left to undo: the run is back before step 1. eng run #4 is rolled back.",
    );
    expect(
      runText([
        {
          type: "run-aborted",
          runbook: "eng",
          seq: 4,
          by: "lena",
          reason: "giving up",
          stopped: " Stopped loop(s): sync (3 iterations).",
          stillRunning: [9],
        },
      ]),
    ).toBe(
      "eng run #4 aborted by lena: giving up. Stopped loop(s): sync (3 iterations). Still running (not killed): #9.",
    );
  });

  it("puts the plan of a run just started on lines of its own, and says nothing for an undo whose job speaks for it", () => {
    expect(
      runText([
        {
          type: "run-started",
          runbook: "eng",
          seq: 1,
          by: "lena",
          title: "Engine",
          counts: "2 steps (1 manual)",
          plan: [
            { n: 1, title: "Stop", flags: ["local", "undoable"] },
            { n: 2, title: "Switch", flags: ["manual: losa acks"] },
          ],
        },
        { type: "next-hint", status: "active", next: { step: dns, describe: "manual", irreversible: false } },
      ]),
    ).toBe(
      'eng run #1 started by lena: Engine — 2 steps (1 manual).\n 1. Stop [local, undoable]\n 2. Switch [manual: losa acks]\nNext: step 2/7 "Switch DNS" (manual) — !migrate next',
    );
    expect(runText([{ type: "undo-begun", step: dns, job: 3 }])).toBe("");
  });
});

describe("the Slack renderer", () => {
  it("bolds the step, quotes the instructions and shows commands as code, escaped", () => {
    expect(slackRunEvent(ack)).toBe(
      ':raising_hand: *step 2/7 "Switch DNS"* — manual, for losa:\n>Point the name at the new host.\n>Then flush.\nWhen it is done, `!migrate ack [note]` by losa (held by console:olga).',
    );
    expect(slackRunEvent({ type: "step-failed", step: drop })).toBe(
      ':x: *step 3/7 "Drop the old &lt;db&gt;"* failed. `!migrate retry`, or `!migrate skip &lt;reason&gt;`.',
    );
  });

  it("replaces the events' words inside a job's message, keeping its own line and its output", () => {
    const text = `#5 done (2s): exit 0\n${runText(done)}\nold db dropped`;
    const plain = renderText({ text, kind: "reply", outputLines: 1 });
    const slack = withRunEvents(plain.text, done);
    expect(slack).toBe(
      '#5 done (2s): exit 0\n:white_check_mark: *step 2/7 "Switch DNS"* acknowledged by oscar: TTL was low. Next: *step 3/7 "Drop the old &lt;db&gt;"* (local: dropdb old; *IRREVERSIBLE: a second person confirms*) — `!migrate next`\n```\nold db dropped\n```',
    );
    // Events of another kind, or none, leave the message as it was.
    expect(withRunEvents(plain.text, [{ type: "something-else" }])).toBe(plain.text);
    expect(withRunEvents(plain.text, undefined)).toBe(plain.text);
  });

  it("marks every message of a rehearsal, in plain text and in Slack's words", () => {
    const rehearsed = marked({ rehearsal: true }, [...done]);
    expect(runText(rehearsed)).toBe(`[REHEARSAL] ${runText(done)}`);
    const text = `#5 done (0s): REHEARSAL: would run local (no shell): dropdb old (no timeout)\n${runText(rehearsed)}`;
    const plain = renderText({ text, kind: "reply" });
    expect(withRunEvents(plain.text, rehearsed)).toMatch(
      /^#5 done \(0s\): REHEARSAL: would run local \(no shell\): dropdb old \(no timeout\)\n:performing_arts: \*REHEARSAL\* :white_check_mark: \*step 2\/7/,
    );
    // The brief start on IRC says so on its first line.
    const started: RunEvent = {
      type: "run-started",
      runbook: "eng",
      seq: 2,
      by: "lena",
      title: "Engine",
      counts: "2 steps (1 manual)",
      plan: [
        { n: 1, title: "Stop", flags: ["local"] },
        { n: 2, title: "Switch", flags: ["manual: losa acks"], manual: true },
      ],
    };
    expect(briefStartText(marked({ rehearsal: true }, [started]))).toMatch(
      /^\[REHEARSAL\] eng run #2 started by lena/,
    );
    expect(briefStartText([started])).toMatch(/^eng run #2 started by lena/);
    // A real run's messages are as they were; a message with nothing to say stays empty.
    expect(marked({}, [...done])).toEqual(done);
    expect(marked({ rehearsal: true }, [{ type: "undo-begun", step: drop, job: 4 }])).toHaveLength(1);
  });
});
