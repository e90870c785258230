import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { parseRunbook } from "../../../src/config/runbook-load.js";
import { holdsWhen, parseWhen, whenText } from "../../../src/config/runbook-when.js";

describe("when: conditions on parameters", () => {
  it("reads ==, !=, in and not in, with bare and quoted values", () => {
    expect(parseWhen("component == backend")).toEqual({ param: "component", op: "==", values: ["backend"] });
    expect(parseWhen("  instance!=production ")).toEqual({
      param: "instance",
      op: "!=",
      values: ["production"],
    });
    expect(parseWhen('component in [backend, "key gen"]')).toEqual({
      param: "component",
      op: "in",
      values: ["backend", "key gen"],
    });
    expect(parseWhen("component not in [frontend,distgit]")).toEqual({
      param: "component",
      op: "not in",
      values: ["frontend", "distgit"],
    });
    expect(whenText(parseWhen("component not in [frontend,distgit]"))).toBe(
      "component not in [frontend, distgit]",
    );
  });

  it("holds or not by the run's values", () => {
    const be = { component: "backend" };
    const fe = { component: "frontend" };
    expect(holdsWhen(parseWhen("component == backend"), be)).toBe(true);
    expect(holdsWhen(parseWhen("component == backend"), fe)).toBe(false);
    expect(holdsWhen(parseWhen("component != backend"), fe)).toBe(true);
    expect(holdsWhen(parseWhen("component in [keygen, backend]"), be)).toBe(true);
    expect(holdsWhen(parseWhen("component in [keygen, backend]"), fe)).toBe(false);
    expect(holdsWhen(parseWhen("component not in [keygen, backend]"), fe)).toBe(true);
    expect(holdsWhen(parseWhen("component == backend"), {})).toBe(false);
  });

  it("refuses anything else: code, other operators, empty lists, shell syntax", () => {
    for (const bad of [
      "component",
      "component = backend",
      "component == backend && instance == devel",
      "component in []",
      "process.exit(1)",
      "component == $(reboot)",
      "component == ${x}",
      "== backend",
      "component > 2",
    ])
      expect(() => parseWhen(bad), bad).toThrow(/expected <parameter> == <value>/);
  });

  it("is checked when the runbook loads, naming the step and the key", () => {
    const problems: string[] = [];
    parseRunbook(
      "bad.yaml",
      [
        "id: bad",
        "title: Bad",
        "parameters:",
        "  component: { type: enum, values: [frontend, backend] }",
        "steps:",
        '  - { kind: wait, title: One, duration: 1m, when: "component == backnd" }',
        '  - { kind: wait, title: Two, duration: 1m, when: "flavour == x" }',
        '  - { kind: wait, title: Three, duration: 1m, when: "component === backend" }',
        '  - { kind: wait, title: Four, duration: 1m, when: "component in [frontend, backend]" }',
        "",
      ].join("\n"),
      parseConfig({}),
      problems,
    );
    expect(problems).toEqual([
      'bad.yaml steps[0] "One" when: "backnd" is not a value of component (one of frontend, backend)',
      'bad.yaml steps[1] "Two" when: uses flavour, which is not declared under parameters',
      expect.stringMatching(
        /^bad\.yaml steps\[2\] "Three" when: cannot read "component === backend"; expected/,
      ),
    ]);
  });
});
