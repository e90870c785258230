import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/config/runbook.js";
import { bindStep, placeholders, substitute } from "../../../src/config/runbook-params.js";

describe("runbook parameters", () => {
  it("finds the names a text uses, and leaves $${ as a literal ${", () => {
    expect(placeholders("rsync ${src} ${dst} $${HOME}")).toEqual(["src", "dst"]);
    expect(substitute("a ${x} $${y}", { x: "1" })).toBe("a 1 ${y}");
  });

  it("keeps an argv word one word whatever the value holds", () => {
    const step = {
      kind: "ssh",
      id: "s",
      title: "Copy ${src}",
      host: "box",
      argv: ["rsync", "-a", "${src}", "/dst/"],
      irreversible: false,
      idempotent: false,
    } as Step;
    const bound = bindStep(step, { src: "a b; rm -rf / $(x)" });
    expect(bound.kind === "ssh" && bound.argv).toEqual(["rsync", "-a", "a b; rm -rf / $(x)", "/dst/"]);
    expect(bound.title).toBe("Copy a b; rm -rf / $(x)");
    expect(bound.kind === "ssh" && bound.host).toBe("box");
  });

  it("refuses a text whose parameter has no value", () => {
    expect(() => substitute("${nope}", {})).toThrow("parameter nope has no value");
  });
});
