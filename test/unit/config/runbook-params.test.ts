import { describe, expect, it } from "vitest";
import { parameterSchema, type Runbook, type Step } from "../../../src/config/runbook.js";
import { bindStep, placeholders, resolveParams, substitute } from "../../../src/config/runbook-params.js";

/** A runbook with these parameters (as they would be written in YAML) and distinct: groups. */
const rb = (parameters: Record<string, unknown>, distinct: string[][] = []): Runbook => ({
  id: "t",
  title: "T",
  parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, parameterSchema.parse(v)])),
  distinct,
  steps: [],
  file: "t.yaml",
  hosts: [],
  missingHosts: [],
});

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

  it("refuses a string value starting with - unless the parameter allows it, naming the parameter", () => {
    const r = rb({ x: {}, spool: { pattern: "[A-Za-z0-9._@-]+:/[A-Za-z0-9._/-]*" } });
    for (const bad of ["--version", "-rf", "-"])
      expect(() => resolveParams(r, { x: bad, spool: "h:/s/" })).toThrow(
        `x must not start with "-" (a command would read "${bad}" as an option)`,
      );
    // A pattern that happens to allow a dash does not let it through.
    expect(() => resolveParams(r, { x: "a", spool: "-essh:/" })).toThrow(/spool must not start with "-"/);
    expect(resolveParams(r, { x: "a-b", spool: "h:/s/" })).toEqual({ x: "a-b", spool: "h:/s/" });
    const allowed = rb({ x: { allowLeadingDash: true } });
    expect(resolveParams(allowed, { x: "--version" })).toEqual({ x: "--version" });
  });

  it("holds an integer to its min and max", () => {
    const r = rb({ port: { type: "integer", min: 1, max: 65535, default: 8000 } });
    expect(() => resolveParams(r, { port: "-1" })).toThrow("port must be at least 1, not -1");
    expect(() => resolveParams(r, { port: "65536" })).toThrow("port must be at most 65535, not 65536");
    expect(resolveParams(r, { port: "65535" })).toEqual({ port: "65535" });
    expect(resolveParams(r, {})).toEqual({ port: "8000" });
  });

  it("refuses the same value for parameters a distinct: group keeps apart, naming them", () => {
    const r = rb({ old_app: {}, new_app: { default: "lib" }, other: {} }, [["old_app", "new_app", "other"]]);
    expect(() => resolveParams(r, { old_app: "lib", other: "x" })).toThrow(
      'old_app and new_app must differ (both are "lib")',
    );
    expect(() => resolveParams(r, { old_app: "a", other: "lib" })).toThrow(
      'new_app and other must differ (both are "lib")',
    );
    expect(resolveParams(r, { old_app: "a", other: "b" })).toEqual({
      old_app: "a",
      new_app: "lib",
      other: "b",
    });
  });

  it("keeps allowLeadingDash to strings and min/max to integers", () => {
    expect(
      parameterSchema.safeParse({ type: "integer", allowLeadingDash: true }).error?.issues[0]?.message,
    ).toBe("only a string parameter takes allowLeadingDash");
    expect(parameterSchema.safeParse({ min: 1 }).error?.issues[0]?.message).toBe(
      "only an integer parameter takes min",
    );
    expect(parameterSchema.safeParse({ type: "integer", min: 5, max: 1 }).error?.issues[0]?.message).toBe(
      "max 1 is below min 5",
    );
  });
});
