import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { MemoryAdapter } from "../../../src/bot/memory.js";
import { allCommands } from "../../../src/commands/index.js";
import { type Command, command, commandKey } from "../../../src/commands/types.js";
import { UserError } from "../../../src/core/errors.js";
import { startTestBot } from "../../harness/bot.js";
import { capturingLogger } from "../../harness/log.js";
import { startRedis } from "../../harness/servers.js";

const ROLES = ["admin", "lead", "losa", "engineer"] as const;
const ANYONE = [...ROLES, "none"];
const OPERATORS = ["admin", "lead", "losa", "engineer"];

/** Who may run what by default (SPEC.md "Roles"); every command must be listed here. */
const EXPECTED: Record<string, readonly string[]> = {
  help: ANYONE,
  whoami: ANYONE,
  ping: ANYONE,
  "web login": ANYONE,
  jobs: ANYONE,
  job: ANYONE,
  "job log": ANYONE,
  "job retry": OPERATORS,
  "job done": OPERATORS,
  topic: ANYONE,
  "topic add": OPERATORS,
  "topic set": OPERATORS,
  "topic remove": OPERATORS,
  "topic undo": OPERATORS,
  "rc-mode": ANYONE,
  "rc-mode on": ["admin", "lead"],
  "rc-mode off": ["admin", "lead"],
  "lpndt service-stop": ["admin", "losa", "engineer"],
  "lpndt service-start": ["admin", "losa", "engineer"],
  "downtime schedule": ["admin", "lead"],
  "downtime list": ANYONE,
  "downtime cancel": ["admin", "lead"],
  "downtime move": ["admin", "lead"],
  "downtime start": ["admin", "lead", "losa"],
  "downtime done": ["admin", "lead", "losa"],
  "downtime abort": ["admin", "lead"],
  "db-budget": ["admin", "engineer"],
  "migrate list": ANYONE,
  "migrate start": ["admin", "lead"],
  "migrate next": ["admin", "lead", "engineer"],
  // Anyone reaches the command; the step's own role decides (docs/runbooks.md).
  "migrate ack": ANYONE,
  "migrate confirm": ["admin", "losa", "lead"],
  "migrate retry": ["admin", "lead", "engineer"],
  "migrate skip": ["admin", "lead"],
  "migrate undo": ["admin", "lead"],
  "migrate abort": ["admin", "lead"],
  "migrate rollback": ["admin", "lead"],
  "migrate status": OPERATORS,
  "migrate log": OPERATORS,
};

describe("router", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const s of stops) await s();
    stops = [];
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const bot = async (opts: Partial<Parameters<typeof startTestBot>[0]> = {}) => {
    const t = await startTestBot({
      redisUrl: redis.url,
      roles: { admin: ["ada"], lead: ["lee"], losa: ["lou"], engineer: ["eve"] },
      ...opts,
    });
    stops.push(t.stop);
    return t;
  };

  it("lets each role run exactly the commands the defaults give it", async () => {
    const t = await bot({ role: "frontend" });
    const users: Record<string, string> = {
      admin: "ada",
      lead: "lee",
      losa: "lou",
      engineer: "eve",
      none: "nobody",
    };
    const keys = allCommands.map(commandKey);
    expect(keys.filter((k) => !(k in EXPECTED))).toEqual([]);
    for (const c of allCommands) {
      for (const [role, user] of Object.entries(users)) {
        const r = (await t.adapter.say(`!${commandKey(c)}`, user)) as { outcome: string };
        const may = EXPECTED[commandKey(c)]!.includes(role);
        expect({ cmd: commandKey(c), role, denied: r.outcome === "denied" }).toEqual({
          cmd: commandKey(c),
          role,
          denied: !may,
        });
      }
    }
  });

  it("tells a user without the role which role is needed, and runs nothing", async () => {
    const t = await bot();
    await t.adapter.say("!rc-mode on", "eve");
    const m = await t.adapter.waitFor((m) => m.text.includes("needs the role"));
    expect(m.text).toContain("!rc-mode on needs the role lead");
    expect(m.text).toContain("you (console:eve) have engineer");
    expect(await t.services.jobs.recent()).toEqual([]);
  });

  it("lets config permissions override a command's default roles", async () => {
    const t = await bot({ config: { permissions: { "rc-mode on": ["engineer"] } } });
    const r = (await t.adapter.say("!rc-mode on", "eve")) as { outcome: string; jobs: number[] };
    expect(r.outcome).toBe("ok");
    expect(r.jobs).toHaveLength(1);
  });

  it("suggests the nearest command for a typo, and lists sub-commands", async () => {
    const t = await bot();
    await t.adapter.say("!rcmode on", "ada");
    await t.adapter.waitFor((m) => m.text === "Unknown command !rcmode. Did you mean !rc-mode? Try !help.");
    await t.adapter.say("!topic ad x", "ada");
    await t.adapter.waitFor((m) =>
      m.text.startsWith('!topic has no sub-command "ad". Did you mean !topic add?'),
    );
  });

  it("answers a bad argument with one line and the usage, queueing nothing", async () => {
    const t = await bot();
    await t.adapter.say("!job forty-two", "ada");
    const m = await t.adapter.waitFor((m) => m.kind === "alarm");
    expect(m.text).toBe('"forty-two" is not a job id; expected a number like 42 — usage: !job <id>');
    await t.adapter.say(`!topic add "unclosed`, "ada");
    await t.adapter.waitFor((m) => m.text === "unclosed double quote");
    expect(await t.services.jobs.recent()).toEqual([]);
  });

  it("refuses an oversized message clearly", async () => {
    const t = await bot();
    await t.adapter.say(`!topic add ${"x".repeat(10_000)}`, "ada");
    await t.adapter.waitFor((m) => /That command is 10011 bytes; the limit is 4096/.test(m.text));
  });

  it("ignores ordinary chat, bots, and redelivered messages", async () => {
    const t = await bot();
    expect(await t.adapter.say("hello all", "ada")).toMatchObject({ outcome: "ignored" });
    expect(await t.adapter.say("!whoami", "ada", { fromBot: true })).toMatchObject({ outcome: "ignored" });
    expect(await t.adapter.say("!whoami", "ada", { id: "same" })).toMatchObject({ outcome: "ok" });
    expect(await t.adapter.say("!whoami", "ada", { id: "same" })).toMatchObject({ outcome: "duplicate" });
    expect(await t.adapter.say("whoami", "ada", { addressed: true })).toMatchObject({ outcome: "ok" });
  });

  it("shows a UserError verbatim, hides an internal error behind a ref, and keeps serving", async () => {
    const cap = capturingLogger();
    const boom: Command[] = [
      command({
        family: "boom",
        name: "",
        usage: "!boom",
        summary: "x",
        args: z.array(z.string()),
        roles: [],
        run: async () => {
          throw new Error("secret internals at db.example:5432");
        },
      }),
      command({
        family: "nope",
        name: "",
        usage: "!nope",
        summary: "x",
        args: z.array(z.string()),
        roles: [],
        run: async () => {
          throw new UserError("Not now: the window is closed.");
        },
      }),
      ...allCommands,
    ];
    const t = await bot({ commands: boom, log: cap.log });
    await t.adapter.say("!boom", "ada");
    const m = await t.adapter.waitFor((m) => m.text.startsWith("Sorry"));
    const ref = /ref ([0-9a-f]{6})/.exec(m.text)?.[1];
    expect(ref).toBeDefined();
    expect(m.text).not.toContain("secret internals");
    const logged = cap.lines.find((l) => l.ref === ref) as { err: { stack: string } };
    expect(logged.err.stack).toContain("secret internals at db.example:5432");
    await t.adapter.say("!nope", "ada");
    await t.adapter.waitFor((m) => m.text === "Not now: the window is closed.");
    await t.adapter.say("!whoami", "ada");
    await t.adapter.waitFor((m) => m.text.startsWith("You are console:ada"));
  });

  it("shows in !help only what the user may run", async () => {
    const t = await bot();
    await t.adapter.say("!help", "eve");
    const help = await t.adapter.waitFor((m) => m.text.startsWith("Commands you may run"));
    expect(help.text).toContain("!topic add <text>");
    expect(help.text).not.toContain("!rc-mode on");
    await t.adapter.say("!help rc-mode", "lee");
    await t.adapter.waitFor(
      (m) => m.text.includes("!rc-mode on [reason]") && m.text.includes("e.g. !rc-mode on"),
    );
    await t.adapter.say("!help rc-mode on", "eve");
    await t.adapter.waitFor((m) => m.text === 'You may not run any !rc-mode command "on".');
  });

  it("keeps the bot's topic segments through people's edits, and undoes edits", async () => {
    const t = await bot();
    const topic = () => t.adapter.topics.get("console");
    await t.adapter.say("!topic set Welcome | Rollout at 10:00", "ada");
    await t.adapter.waitFor((m) => m.kind === "topic" && m.text === "Welcome | Rollout at 10:00");
    await t.adapter.say("!rc-mode on", "ada");
    await t.adapter.waitFor(
      (m) => m.kind === "topic" && m.text === "PQM in RC mode | Welcome | Rollout at 10:00",
    );
    await t.adapter.say("!topic set Fresh", "ada");
    await t.adapter.waitFor((m) => m.kind === "topic" && m.text === "PQM in RC mode | Fresh");
    await t.adapter.say("!topic remove 1", "ada");
    await t.adapter.waitFor((m) => m.text.startsWith('Segment 1 ("PQM in RC mode") is kept by the bot'));
    await t.adapter.say("!topic undo", "ada");
    await t.adapter.waitFor(
      (m) => m.kind === "topic" && m.text === "PQM in RC mode | Welcome | Rollout at 10:00",
    );
    expect(topic()).toBe("PQM in RC mode | Welcome | Rollout at 10:00");
  });

  it("tells the channel when it may not set the topic", async () => {
    const adapter = new MemoryAdapter("console", 390, ["console"]);
    adapter.topicError = new UserError("I need op in console to change the topic.");
    const t = await bot({ adapter });
    await t.adapter.say("!rc-mode on", "ada");
    await t.adapter.waitFor((m) => m.text === "I need op in console to change the topic.");
  });
});
