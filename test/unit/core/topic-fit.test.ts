import { describe, expect, it } from "vitest";
import { cutNote, fitTopic, joinTopic } from "../../../src/core/topic-fit.js";

describe("fitTopic", () => {
  const rc = { text: "PQM in RC mode", owner: "rc-mode" };

  it("leaves a topic that fits alone", () => {
    expect(fitTopic([rc, { text: "Welcome" }], 100)).toEqual({ text: "PQM in RC mode | Welcome", cut: [] });
  });

  it("shortens people's segments from the end, never the bot's", () => {
    const segs = [
      rc,
      { text: "Welcome to the channel" },
      { text: "Rollout at 10:00 UTC, see the wiki for details" },
    ];
    const r = fitTopic(segs, 60);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(60);
    expect(r.text.startsWith("PQM in RC mode | Welcome to the channel | ")).toBe(true);
    expect(r.text.endsWith("…")).toBe(true);
    expect(r.cut).toEqual(["Rollout at 10:00 UTC, see the wiki for details"]);
  });

  it("drops people's segments when shortening is not enough", () => {
    const r = fitTopic([rc, { text: "a long first segment here" }, { text: "b" }], 20);
    expect(r.text).toBe("PQM in RC mode");
    expect(r.cut.sort()).toEqual(["a long first segment here", "b"]);
  });

  it("counts bytes by default, so multi-byte text is cut on character boundaries", () => {
    const r = fitTopic([{ text: "é".repeat(40) }], 30);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(30);
    expect(r.text).toMatch(/^é+…$/);
  });

  it("refuses when the bot's own segments alone are too long", () => {
    expect(() => fitTopic([rc, { text: "Downtime in progress", owner: "downtime" }], 10)).toThrow(
      /topic limit of 10/,
    );
  });

  it("joins with the separator", () => {
    expect(joinTopic([{ text: "a" }, { text: "b" }])).toBe("a | b");
  });

  it("says what it left out in a note of bounded length, however long or many the segments", () => {
    const huge = "-rf ".repeat(1000);
    const r = fitTopic([...Array.from({ length: 9 }, (_, i) => ({ text: `s${i}` })), { text: huge }, rc], 30);
    const note = cutNote(r.cut, 30);
    expect(note).toMatch(/^The topic is limited to 30 characters here, so I shortened or left out: "/);
    expect(note).toContain(`"${"-rf ".repeat(15).trimEnd()}…"`);
    expect(note).toMatch(/ and \d+ more$/);
    expect(note.length).toBeLessThan(500);
    expect(cutNote(["a", "b"], 30)).toBe(
      'The topic is limited to 30 characters here, so I shortened or left out: "a", "b"',
    );
  });

  it("quotes only the start of the bot's own segments when they alone are too long", () => {
    expect(() => fitTopic([{ text: "x".repeat(5000), owner: "rc-mode" }], 10)).toThrow(
      /^the bot's own topic segments \("x{60}…"\) are longer than the topic limit of 10$/,
    );
  });
});
