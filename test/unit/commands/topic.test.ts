import { describe, expect, it } from "vitest";
import { describeTopic } from "../../../src/commands/topic.js";

describe("describeTopic", () => {
  it("lists each segment with its number and who keeps it", () => {
    expect(describeTopic([{ text: "Deploy at 10:00" }, { text: "PQM in RC mode", owner: "rc-mode" }])).toBe(
      "Topic: [1] Deploy at 10:00 | [2] PQM in RC mode (kept by the bot: rc-mode)",
    );
    expect(describeTopic([])).toBe("The topic is empty.");
  });

  it("answers in bounded length however long or many the kept segments are", () => {
    const segs = Array.from({ length: 30 }, (_, i) => ({ text: `${i} ${"-rf ".repeat(1000)}` }));
    const said = describeTopic(segs);
    expect(said.length).toBeLessThan(4000);
    expect(said).toContain(`[1] 0 ${"-rf ".repeat(49)}-r… (4002 characters) | [2] 1 -rf`);
    expect(said).toContain("[12] 11 -rf");
    expect(said).not.toContain("[13]");
    expect(said).toMatch(/ \(and 18 more segments\)$/);
  });
});
