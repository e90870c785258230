import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { keyValues, parseCommand, tokenize } from "../../../src/core/parse.js";

describe("tokenize", () => {
  it("splits on whitespace and groups quoted words", () => {
    expect(tokenize(`service-stop "cron fdt" 'a  b' c`)).toEqual(["service-stop", "cron fdt", "a  b", "c"]);
  });

  it("keeps shell metacharacters as plain text inside one word", () => {
    expect(tokenize(`'cron-fdt; touch /tmp/x'`)).toEqual(["cron-fdt; touch /tmp/x"]);
    expect(tokenize("$(id) `id` a|b")).toEqual(["$(id)", "`id`", "a|b"]);
  });

  it("joins adjacent quoted and bare parts, and keeps empty quoted words", () => {
    expect(tokenize(`a"b c"d ''`)).toEqual(["ab cd", ""]);
  });

  it("escapes inside double quotes only", () => {
    expect(tokenize(`"say \\"hi\\"" 'no\\escape'`)).toEqual([`say "hi"`, "no\\escape"]);
  });

  it("handles unicode words and whitespace", () => {
    expect(tokenize("café  «naïve»\u3000日本語 🚀")).toEqual(["café", "«naïve»", "日本語", "🚀"]);
  });

  it("returns nothing for an empty or blank line", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize("   \t ")).toEqual([]);
  });

  it("refuses an unclosed quote with a usage error", () => {
    expect(() => tokenize(`topic add "oops`)).toThrow(UsageError);
    expect(() => tokenize(`topic add 'oops`)).toThrow(/unclosed single quote/);
  });

  it("parses a 10 kB line quickly and completely", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const line = words.join(" ");
    expect(line.length).toBeGreaterThan(10_000);
    expect(tokenize(line)).toEqual(words);
  });

  it("round-trips any words that are quoted (property)", () => {
    const word = fc.string({ minLength: 0, maxLength: 20 }).filter((w) => !w.includes("'"));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), (ws) => {
        expect(tokenize(ws.map((w) => `'${w}'`).join(" "))).toEqual(ws);
      }),
    );
  });

  it("never throws on input without quotes (property)", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/["']/.test(s)),
        (s) => {
          for (const w of tokenize(s)) expect(w).not.toMatch(/\s/u);
        },
      ),
    );
  });
});

describe("parseCommand", () => {
  it("needs the prefix unless the bot was addressed", () => {
    expect(parseCommand("!rc-mode on", "!")).toEqual({ family: "rc-mode", args: ["on"] });
    expect(parseCommand("rc-mode on", "!")).toBeUndefined();
    expect(parseCommand("rc-mode on", "!", true)).toEqual({ family: "rc-mode", args: ["on"] });
  });

  it("lower-cases the family only", () => {
    expect(parseCommand("!RC-Mode ON Reason", "!")).toEqual({ family: "rc-mode", args: ["ON", "Reason"] });
  });

  it("ignores a lone prefix and a prefix followed by a space", () => {
    expect(parseCommand("!", "!")).toBeUndefined();
    expect(parseCommand("! help", "!")).toBeUndefined();
  });

  it("supports another prefix", () => {
    expect(parseCommand(".help", ".")).toEqual({ family: "help", args: [] });
  });
});

describe("keyValues", () => {
  it("separates key=value words from the rest", () => {
    expect(keyValues(["old_unit=a/0", "x", "new-unit=b=c"])).toEqual({
      kv: { old_unit: "a/0", "new-unit": "b=c" },
      rest: ["x"],
    });
  });
});
