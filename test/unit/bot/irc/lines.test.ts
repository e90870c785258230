import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IRC_LINE_BYTES, payloadBytes, splitMessage } from "../../../../src/bot/irc/lines.js";

const bytes = (s: string) => Buffer.byteLength(s);

describe("splitting messages into IRC lines", () => {
  it("keeps the relayed line within 512 bytes for the longest host and ident a server may show", () => {
    const max = payloadBytes("changebot", "#launchpad-dev");
    const relayed = `:changebot!~changebot@${"h".repeat(63)} PRIVMSG #launchpad-dev :${"x".repeat(max)}\r\n`;
    expect(bytes(relayed)).toBeLessThanOrEqual(IRC_LINE_BYTES);
  });

  it("uses a longer known host when the server showed one", () => {
    expect(payloadBytes("bot", "#c", { host: "h".repeat(100) })).toBe(payloadBytes("bot", "#c") - 37);
  });

  it("breaks at spaces, never inside a word that fits, and drops empty lines", () => {
    expect(splitMessage("one two three\n\nfour", 9)).toEqual(["one two", "three", "four"]);
  });

  it("never cuts a UTF-8 sequence or an emoji, and loses no text", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("日本語", "Grüße", "🎉", "👩‍👩‍👧‍👦", "naïve", "x", " ", "Ωμέγα"), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 30, max: 120 }),
        (parts, max) => {
          const text = parts.join("").trim();
          const lines = splitMessage(text, max);
          for (const l of lines) {
            expect(bytes(l)).toBeLessThanOrEqual(max);
            expect(Buffer.from(l).toString()).toBe(l);
            expect(l).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
          }
          // Only the spaces at which lines were broken go missing.
          expect(lines.join("").replace(/ /g, "")).toBe(text.replace(/ /g, "").replace(/\s/g, ""));
        },
      ),
    );
  });
});
