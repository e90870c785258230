import { describe, expect, it } from "vitest";
import { z } from "zod";
import { helpFor } from "../../../src/commands/help.js";
import { allCommands } from "../../../src/commands/index.js";
import { type Command, command } from "../../../src/commands/types.js";
import { parseConfig } from "../../../src/config/load.js";

const config = (extra: Record<string, unknown> = {}) =>
  parseConfig({ keyPrefix: "t", networks: { console: { user: "tester", channel: "console" } }, ...extra });

const extra: Command = command({
  family: "deploy",
  name: "",
  usage: "!deploy <service>",
  summary: "a command this bot has and the others do not",
  args: z.array(z.string()),
  roles: ["lead"],
  async run() {},
});

describe("the bare !help answer, built once per set of roles", () => {
  it("differs by role and is the same answer for the same roles", () => {
    const c = config();
    const none = helpFor(allCommands, c, []);
    const engineer = helpFor(allCommands, c, ["engineer"]);
    expect(none.text).not.toContain("!topic add <text>");
    expect(engineer.text).toContain("!topic add <text>");
    expect(engineer.text).not.toContain("!rc-mode on");
    expect(helpFor(allCommands, c, ["admin"]).text).toContain("!rc-mode on");
    expect(helpFor(allCommands, c, ["engineer"])).toBe(engineer);
    expect(engineer.brief).toMatch(/^Commands you may run: !help !whoami .*!topic/);
  });

  it("follows the bot's own command list, prefix and permissions", () => {
    const c = config();
    expect(helpFor(allCommands, c, ["lead"]).text).not.toContain("!deploy");
    const more = [...allCommands, extra];
    expect(helpFor(more, c, ["lead"]).text).toContain("!deploy <service> — a command this bot has");
    expect(helpFor(more, c, []).text).not.toContain("!deploy");
    // Another config (another bot): its prefix and its permissions, not the first one's answer.
    const other = config({ prefix: "?", permissions: { deploy: [] } });
    const open = helpFor(more, other, []);
    expect(open.text).toContain("?deploy <service>");
    expect(open.brief).toContain("?deploy");
    expect(helpFor(more, c, []).text).not.toContain("deploy");
  });
});
