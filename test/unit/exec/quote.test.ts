import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quoteWord, shellCommand, showCommand } from "../../../src/exec/quote.js";

/** What /bin/sh makes of the command line: each word as printf receives it. */
function shellWords(line: string): string[] {
  const r = spawnSync("/bin/sh", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split("\0").slice(0, -1);
}

const word = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(..."'\"\\$`;&|<>(){}[]*?!~#= \t\n\r%^-"),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
    ),
  })
  .filter((w) => !w.includes("\0"));

describe("quoting an argv for a remote POSIX shell", () => {
  it("round-trips any words through /bin/sh unchanged", () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (argv) => {
        expect(shellWords(shellCommand(argv))).toEqual(argv);
      }),
      { numRuns: 150 },
    );
  });

  it("never lets a word run a command", () => {
    const r = spawnSync(
      "/bin/sh",
      ["-c", `echo ${shellCommand(["cron-fdt; echo PWNED", "$(echo PWNED)", "`echo PWNED`"])}`],
      {
        encoding: "utf8",
      },
    );
    expect(r.stdout).toBe("cron-fdt; echo PWNED $(echo PWNED) `echo PWNED`\n");
  });

  it("refuses a NUL byte and an empty command", () => {
    expect(() => quoteWord("a\0b")).toThrow(/NUL/);
    expect(() => shellCommand([])).toThrow(/empty/);
  });

  it("shows plain words plainly and quotes the rest", () => {
    expect(showCommand(["lpndt", "service-stop", "cron-fdt"])).toBe("lpndt service-stop cron-fdt");
    expect(showCommand(["echo", "a b", "it's"])).toBe(`echo 'a b' 'it'\\''s'`);
  });
});
