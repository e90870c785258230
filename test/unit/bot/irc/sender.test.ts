import { describe, expect, it } from "vitest";
import type { IrcClient } from "../../../../src/bot/irc/client.js";
import { Pacer, TokenBucket } from "../../../../src/bot/irc/pacer.js";
import { LineSender } from "../../../../src/bot/irc/sender.js";
import { ManualClock } from "../../../../src/core/clock.js";

/** One connection's worth of what the sender uses: it drops after `lives` lines. */
function connection(lives: number) {
  const written: string[] = [];
  const client = {
    get connected() {
      return written.length < lives;
    },
    raw(line: string) {
      written.push(line);
    },
  };
  return { client: client as unknown as IrcClient, written };
}

const payload = (line: string) => line.replace(/^PRIVMSG #c :/, "");

describe("resuming a message cut off by a disconnect", () => {
  const sender = () => new LineSender(new Pacer(new TokenBucket(1000, 1000, new ManualClock(0))));

  it("sends only the lines not yet written when the same message comes again", async () => {
    const s = sender();
    const text = ["one", "two", "three", "four"].join("\n");
    const a = connection(2);
    await expect(s.send(a.client, "#c", text, 400)).rejects.toThrow(/disconnected/);
    const b = connection(100);
    await s.send(b.client, "#c", text, 400);
    expect([...a.written, ...b.written].map(payload)).toEqual(["one", "two", "three", "four"]);
    // Done: the same text later is a new message, sent whole.
    const c = connection(100);
    await s.send(c.client, "#c", text, 400);
    expect(c.written.map(payload)).toEqual(["one", "two", "three", "four"]);
  });

  it("cuts what is left again when the new connection allows shorter lines", async () => {
    const s = sender();
    const words = Array.from({ length: 80 }, (_, i) => `w${i}`);
    const text = words.join(" ");
    const a = connection(1);
    await expect(s.send(a.client, "#c", text, 100)).rejects.toThrow(/disconnected/);
    const b = connection(100);
    await s.send(b.client, "#c", text, 64);
    expect(b.written.length).toBeGreaterThan(3);
    expect(b.written.map(payload).every((l) => Buffer.byteLength(l) <= 64)).toBe(true);
    expect([...a.written, ...b.written].map(payload).join(" ")).toBe(text);
  });
});
