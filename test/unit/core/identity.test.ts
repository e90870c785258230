import { describe, expect, it } from "vitest";
import { allowed, matchesRule, rolesOf } from "../../../src/core/identity.js";
import type { Identity } from "../../../src/core/messages.js";

const irc = (nick: string, account?: string, mask = `${nick}!u@host`): Identity => ({
  network: "irc",
  id: nick,
  display: nick,
  account,
  mask,
});

describe("role rules", () => {
  it("matches console users by name", () => {
    expect(matchesRule({ network: "console", id: "alice", display: "alice" }, "console:alice")).toBe(true);
    expect(matchesRule({ network: "console", id: "bob", display: "bob" }, "console:alice")).toBe(false);
  });

  it("matches IRC accounts, not nicks", () => {
    expect(matchesRule(irc("wgrant", "wgrant"), "irc:account:wgrant")).toBe(true);
    expect(matchesRule(irc("wgrant"), "irc:account:wgrant")).toBe(false);
    expect(matchesRule(irc("wgrant", "mallory"), "irc:account:wgrant")).toBe(false);
  });

  it("matches IRC hostmasks with wildcards, case-insensitively", () => {
    expect(matchesRule(irc("x", undefined, "x!~x@canonical/staff/x"), "irc:mask:*!*@canonical/*")).toBe(true);
    expect(matchesRule(irc("x", undefined, "x!~x@evil.example"), "irc:mask:*!*@canonical/*")).toBe(false);
    expect(matchesRule(irc("x", undefined, "X!U@H.example"), "irc:mask:x!u@h.example")).toBe(true);
  });

  it("treats regex characters in masks literally", () => {
    expect(matchesRule(irc("a", undefined, "a!u@hostXexample"), "irc:mask:a!u@host.example")).toBe(false);
  });

  it("matches Slack users, optionally pinned to a workspace", () => {
    const u: Identity = { network: "slack", id: "U1", display: "u", account: "T1:U1" };
    expect(matchesRule(u, "slack:U1")).toBe(true);
    expect(matchesRule(u, "slack:T1:U1")).toBe(true);
    expect(matchesRule(u, "slack:T2:U1")).toBe(false);
  });

  it("never matches across networks", () => {
    expect(matchesRule({ network: "slack", id: "alice", display: "a" }, "console:alice")).toBe(false);
  });

  it("collects every role an identity holds", () => {
    const roles = {
      lead: ["console:alice"],
      losa: ["console:alice", "console:bob"],
      engineer: ["console:carol"],
    };
    expect(rolesOf({ network: "console", id: "alice", display: "alice" }, roles)).toEqual(["lead", "losa"]);
    expect(rolesOf({ network: "console", id: "dave", display: "dave" }, roles)).toEqual([]);
  });

  it("lets admin do everything and anyone run commands that need no role", () => {
    expect(allowed(["admin"], ["lead"])).toBe(true);
    expect(allowed([], [])).toBe(true);
    expect(allowed(["engineer"], ["lead"])).toBe(false);
    expect(allowed(["engineer"], ["lead", "engineer"])).toBe(true);
  });
});
