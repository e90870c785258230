import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { parseRunbook } from "../../../src/config/runbook-load.js";
import { referencedUrls } from "../../../src/domain/runbook/kinds/check-page.js";

function problems(steps: string): string[] {
  const out: string[] = [];
  parseRunbook("bad.yaml", `id: bad\ntitle: Bad\nsteps:\n${steps}`, parseConfig({ hosts: {} }), out);
  return out;
}

describe("check steps: what they compare, checked when the runbook is read", () => {
  it("accepts expect, same and budget on command checks, and a loop check after its loop", () => {
    expect(
      problems(`  - { id: a, kind: check, title: A, argv: [systemctl, show], expect: "^ActiveState=active$" }
  - { kind: check, title: B, argv: [systemctl, show], same: a }
  - { kind: check, title: C, argv: [cat, x], budget: 90m }
  - { kind: loop, loop: sync, every: 1m, title: L, argv: [rsync] }
  - { kind: check, title: D, loop: sync, interval: 1s }
  - { kind: stop-loop, loop: sync, title: S }
`),
    ).toEqual([]);
  });

  it("names the step and the key of each mistake", () => {
    expect(
      problems(`  - { kind: check, title: Both, argv: [x], http: { url: "https://a/" } }
  - { kind: check, title: Regex, argv: [x], expect: "(" }
  - { kind: check, title: Later, argv: [x], same: later }
  - { id: later, kind: check, title: L, argv: [x] }
  - { kind: check, title: Page, http: { url: "https://a/" }, expect: ok }
  - { kind: check, title: NoLoop, loop: nothing }
`),
    ).toEqual([
      'bad.yaml steps[0] "Both": a check needs exactly one of http:, argv: or loop:',
      'bad.yaml steps[1] "Regex" expect: not a regular expression: Invalid regular expression: /(/m: Unterminated group',
      'bad.yaml steps[2] "Later" same: "later" is not an earlier check step with argv:',
      'bad.yaml steps[4] "Page" expect: only a check with argv: compares output',
      'bad.yaml steps[5] "NoLoop" loop: no earlier loop step keeps a loop named "nothing" running here',
    ]);
  });

  it("an lpndt step takes a verb and one plain service name", () => {
    expect(
      problems("  - { kind: lpndt, title: Stop, host: bastion, verb: service-stop, service: cron-fdt }\n"),
    ).toEqual([]);
    expect(
      problems('  - { kind: lpndt, title: Stop, host: bastion, verb: stop, service: "a;b" }\n').join("\n"),
    ).toMatch(/verb: .*\n.*service: expected a plain service name/);
  });
});

describe("a page's stylesheets and links to other sites", () => {
  it("finds each once, absolute, and leaves out same-site links, icons and mailto:", () => {
    const html = `<link rel="stylesheet" href="/s.css"><link rel=icon href="/i.ico">
      <LINK REL='alternate stylesheet' HREF='https://cdn.example/t.css'>
      <a href="/about">x</a><a href="https://other.example/a?x=1&amp;y=2#top">y</a>
      <a href="https://other.example/a?x=1&y=2">z</a><a href="mailto:a@b">m</a>`;
    expect(referencedUrls(html, "https://site.example/", ["stylesheets", "links"])).toEqual([
      "https://site.example/s.css",
      "https://cdn.example/t.css",
      "https://other.example/a?x=1&y=2",
    ]);
    expect(referencedUrls(html, "https://site.example/", ["stylesheets"])).toHaveLength(2);
  });
});
