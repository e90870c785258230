import { describe, expect, it } from "vitest";
import { altNick, stripAddress } from "../../../../src/bot/irc/nick.js";

describe("another nick when ours is taken", () => {
  it("appends _ first, then numbers within 9 characters", () => {
    expect(altNick("changebot", 1)).toBe("changebot_");
    expect(altNick("changebot", 2)).toBe("changeb_2");
    expect(altNick("changebot", 12)).toBe("change_12");
    expect(altNick("cb", 3)).toBe("cb_3");
  });
});

describe("addressing the bot by name", () => {
  it('strips "changebot:" or "changebot," in any case; ordinary chat is not addressed', () => {
    expect(stripAddress("changebot: help", ["changebot"])).toBe("help");
    expect(stripAddress("  ChangeBot,   rc-mode on", ["changeb_2", "changebot"])).toBe("rc-mode on");
    expect(stripAddress("I think changebot: is great", ["changebot"])).toBeUndefined();
    expect(stripAddress("changebots: hi", ["changebot"])).toBeUndefined();
    expect(stripAddress("a.b: x", ["a*b"])).toBeUndefined();
  });
});
