import { PassThrough } from "node:stream";
import { ConsoleAdapter } from "../../src/bot/console.js";
import { eventually } from "../harness/eventually.js";
import { describe, expect, test } from "../harness/fixtures.js";
import { capturingLogger } from "../harness/log.js";

/**
 * The README's quick start: the interactive console prints the web address on
 * its own line above the prompt, and the pages answer there. In scripting mode
 * standard output keeps only the replies; the address is in the log.
 */
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r/g, "\n");

function console_(interactive: boolean) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (b: Buffer) => {
    text += b.toString();
  });
  const adapter = new ConsoleAdapter({ user: "tester", channel: "console", input, output, interactive });
  return { adapter, input, out: () => plain(text) };
}

describe("the web address at start", () => {
  test("the interactive console shows `web: http://127.0.0.1:PORT/` on a line of its own, and it serves", async ({
    bot,
  }) => {
    const c = console_(true);
    await bot({ adapters: [c.adapter] });
    const line = await eventually(
      () => /^web: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(c.out()),
      "the web address on the terminal",
    );
    const res = await fetch(`${line[1]}healthz`);
    expect(res.status).toBe(200);
    c.input.end();
  });

  test("in scripting mode standard output has only the replies; the address is logged", async ({ bot }) => {
    const c = console_(false);
    const cap = capturingLogger();
    await bot({ adapters: [c.adapter], log: cap.log });
    await eventually(
      () => cap.lines.some((l) => /^web: http:\/\/127\.0\.0\.1:\d+\/$/.test(String(l.msg))),
      "the address in the log",
    );
    c.input.write("!whoami\n");
    await eventually(() => /You are console:tester/.test(c.out()), "the reply");
    expect(c.out()).not.toMatch(/web:/);
    c.input.end();
  });
});
