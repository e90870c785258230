import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defaultMiddleware, type Middleware } from "../../../src/bot/middleware.js";
import { Router } from "../../../src/bot/router.js";
import { commandContext } from "../../../src/commands/context.js";
import { allCommands } from "../../../src/commands/index.js";
import { type Command, command, commandKey } from "../../../src/commands/types.js";
import { parseConfig } from "../../../src/config/load.js";
import { PermissionError, UserError } from "../../../src/core/errors.js";
import { type Logger, silentLogger } from "../../../src/core/log.js";
import type { InboundMessage, OutboundMessage } from "../../../src/core/messages.js";
import { stepKinds } from "../../../src/domain/runbook/kinds/index.js";
import type { Services } from "../../../src/domain/services.js";
import type { AuditEntry } from "../../../src/infra/audit.js";
import type { SeenStore } from "../../../src/infra/seen.js";
import { buildHandlers } from "../../../src/jobs/handlers.js";
import { capturingLogger } from "../../harness/log.js";

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
  "migrate plan": OPERATORS,
  "migrate next": ["admin", "lead", "engineer"],
  "migrate run": ["admin", "lead", "engineer"],
  "migrate stop": ["admin", "lead", "engineer"],
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

/** Remembers ids in a Set: the router's dedupe without Redis. */
class MemorySeen implements SeenStore {
  readonly ids = new Set<string>();
  async firstSeen(network: string, id: string) {
    const key = `${network}:${id}`;
    if (this.ids.has(key)) return false;
    this.ids.add(key);
    return true;
  }
}

/**
 * The bot's real commands (same names, roles and argument parsing), each
 * recording that it ran instead of touching Redis; !help and !whoami run for
 * real (they only read the config and reply), and "rc-mode on" starts a job as
 * the real one does.
 */
function recordingCommands(ran: string[]): Command[] {
  return allCommands.map((c) =>
    c.family === "help" || c.family === "whoami"
      ? c
      : {
          ...c,
          run: async (ctx) => {
            ran.push(commandKey(c));
            if (commandKey(c) === "rc-mode on") await ctx.enqueue({ name: "rc-mode", summary: "rc-mode on" });
          },
        },
  );
}

interface Options {
  config?: Record<string, unknown>;
  commands?: Command[];
  log?: Logger;
  /** The middleware list instead of the default one. */
  middleware?: (d: Parameters<typeof defaultMiddleware>[0]) => Middleware[];
}

/** A router on in-memory stores: what it says, audits and queues is recorded. */
function router(o: Options = {}) {
  const config = parseConfig({
    keyPrefix: "t",
    networks: { console: { user: "tester", channel: "console" } },
    roles: Object.fromEntries(
      Object.entries({ admin: ["ada"], lead: ["lee"], losa: ["lou"], engineer: ["eve"] }).map(([r, u]) => [
        r,
        u.map((x) => `console:${x}`),
      ]),
    ),
    ...o.config,
  });
  const sent: OutboundMessage[] = [];
  const audited: AuditEntry[] = [];
  const queued: { name: string; jobId?: string }[] = [];
  const ran: string[] = [];
  const seen = new MemorySeen();
  const outbox = { send: async (m: OutboundMessage) => void sent.push(m) };
  const auditLog = { record: async (e: AuditEntry) => void audited.push(e) };
  let nextId = 0;
  // Just what starting a job touches (infra/enqueue.ts): a record, a queue, an ack mark.
  const services = {
    config,
    log: o.log ?? silentLogger(),
    clock: { now: () => 0 },
    outbox,
    jobs: {
      create: async (init: { summary: string }) => ({ ...init, id: ++nextId, ref: `j${nextId}` }),
      acked: async () => {},
    },
    queues: {
      get: () => ({
        add: async (name: string, _d: unknown, opts: { jobId?: string }) => queued.push({ name, ...opts }),
      }),
    },
  } as unknown as Services;
  const commands = o.commands ?? recordingCommands(ran);
  const deps = { prefix: config.prefix, seen, audit: auditLog, outbox };
  const r = new Router({
    config,
    log: services.log,
    outbox,
    commands,
    middleware: (o.middleware ?? defaultMiddleware)(deps),
    context: (msg, found, args, jobs) =>
      commandContext(
        { services, commands, handlers: buildHandlers(stepKinds()) },
        msg,
        { args, words: found.words, roles: found.roles },
        jobs,
      ),
  });
  const say = (text: string, user: string, extra: Partial<InboundMessage> = {}) =>
    r.handle({
      network: "console",
      channel: "console",
      user: { network: "console", id: user, display: user },
      text,
      id: randomBytes(4).toString("hex"),
      ...extra,
    });
  const last = () => sent.at(-1);
  return { say, sent, audited, queued, ran, seen, last };
}

describe("router", () => {
  it("lets each role run exactly the commands the defaults give it", async () => {
    const t = router();
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
        const r = await t.say(`!${commandKey(c)}`, user);
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
    const t = router();
    const r = await t.say("!rc-mode on", "eve");
    expect(r).toMatchObject({
      outcome: "denied",
      jobs: [],
      refusal: expect.stringContaining("needs the role"),
    });
    expect(t.last()).toMatchObject({ kind: "alarm", target: "console" });
    expect(t.last()!.text).toContain("!rc-mode on needs the role lead");
    expect(t.last()!.text).toContain("you (console:eve) have engineer");
    expect(t.ran).toEqual([]);
    expect(t.queued).toEqual([]);
  });

  it("lets config permissions override a command's default roles", async () => {
    const t = router({ config: { permissions: { "rc-mode on": ["engineer"] } } });
    const r = await t.say("!rc-mode on", "eve");
    expect(r.outcome).toBe("ok");
    expect(r.jobs).toHaveLength(1);
  });

  it("acks a job it starts as 'queued #n', under the job's ref, in the asker's thread", async () => {
    const t = router();
    const r = await t.say("!rc-mode on", "lee", { threadId: "T1" });
    expect(r).toEqual({ outcome: "ok", jobs: [1] });
    expect(t.queued).toEqual([expect.objectContaining({ name: "rc-mode", jobId: "j1" })]);
    expect(t.sent).toEqual([
      {
        network: "console",
        target: "console",
        kind: "reply",
        text: "queued #1: rc-mode on",
        ref: "j1",
        threadId: "T1",
      },
    ]);
    expect(t.audited.at(-1)).toMatchObject({ event: "command", who: "console:lee", outcome: "queued #1" });
  });

  it("suggests the nearest command for a typo, and lists sub-commands", async () => {
    const t = router();
    expect((await t.say("!rcmode on", "ada")).outcome).toBe("unknown");
    expect(t.last()!.text).toBe("Unknown command !rcmode. Did you mean !rc-mode? Try !help.");
    await t.say("!topic ad x", "ada");
    expect(t.last()!.text).toMatch(/^!topic has no sub-command "ad". Did you mean !topic add\?/);
    expect(t.ran).toEqual([]);
  });

  it("answers a bad argument with one line and the usage, queueing nothing", async () => {
    const t = router();
    await t.say("!job forty-two", "ada");
    expect(t.last()).toMatchObject({
      kind: "alarm",
      text: '"forty-two" is not a job id; expected a number like 42 — usage: !job <id>',
    });
    await t.say(`!topic add "unclosed`, "ada");
    expect(t.last()!.text).toBe("unclosed double quote");
    expect(t.ran).toEqual([]);
    expect(t.queued).toEqual([]);
  });

  it("refuses an oversized message clearly", async () => {
    const t = router();
    const r = await t.say(`!topic add ${"x".repeat(10_000)}`, "ada");
    expect(r.outcome).toBe("refused");
    expect(t.last()!.text).toMatch(/That command is 10011 bytes; the limit is 4096/);
  });

  it("ignores ordinary chat, bots, and redelivered messages", async () => {
    const t = router();
    expect(await t.say("hello all", "ada")).toMatchObject({ outcome: "ignored" });
    expect(await t.say("!whoami", "ada", { fromBot: true })).toMatchObject({ outcome: "ignored" });
    expect(await t.say("!whoami", "ada", { id: "same" })).toMatchObject({ outcome: "ok" });
    expect(await t.say("!whoami", "ada", { id: "same" })).toMatchObject({ outcome: "duplicate" });
    expect(await t.say("whoami", "ada", { addressed: true })).toMatchObject({ outcome: "ok" });
    expect(t.sent.map((m) => m.text)).toEqual([
      "You are console:ada (ada); roles: admin.",
      "You are console:ada (ada); roles: admin.",
    ]);
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
    const t = router({ commands: boom, log: cap.log });
    expect((await t.say("!boom", "ada")).outcome).toBe("error");
    const m = t.last()!;
    expect(m.text).toMatch(/^Sorry/);
    const ref = /ref ([0-9a-f]{6})/.exec(m.text)?.[1];
    expect(ref).toBeDefined();
    expect(m.text).not.toContain("secret internals");
    const logged = cap.lines.find((l) => l.ref === ref) as { err: { stack: string } };
    expect(logged.err.stack).toContain("secret internals at db.example:5432");
    expect((await t.say("!nope", "ada")).outcome).toBe("refused");
    expect(t.last()!.text).toBe("Not now: the window is closed.");
    await t.say("!whoami", "ada");
    expect(t.last()!.text).toMatch(/^You are console:ada/);
  });

  it("shows in !help only what the user may run", async () => {
    const t = router();
    await t.say("!help", "eve");
    const help = t.last()!.text;
    expect(help).toMatch(/^Commands you may run/);
    expect(help).toContain("!topic add <text>");
    expect(help).not.toContain("!rc-mode on");
    await t.say("!help rc-mode", "lee");
    expect(t.last()!.text).toContain("!rc-mode on [reason]");
    expect(t.last()!.text).toContain("e.g. !rc-mode on");
    await t.say("!help rc-mode on", "eve");
    expect(t.last()!.text).toBe('You may not run any !rc-mode command "on".');
  });
});

describe("the router's middleware, in order", () => {
  it("a bot's message never reaches dedupe, the size limit, audit or the role check", async () => {
    const t = router();
    // Oversized, unknown and from someone without roles: any later middleware would say or record something.
    const r = await t.say(`!nosuch ${"x".repeat(5000)}`, "nobody", { fromBot: true, id: "b1" });
    expect(r.outcome).toBe("ignored");
    expect(t.seen.ids.size).toBe(0);
    expect(t.audited).toEqual([]);
    expect(t.sent).toEqual([]);
    // The same id from a person is still new to dedupe.
    expect((await t.say("!ping", "ada", { id: "b1" })).outcome).toBe("ok");
  });

  it("a redelivered message stops at dedupe: nothing runs or is audited twice", async () => {
    const t = router();
    await t.say("!ping", "ada", { id: "m1" });
    await t.say("!ping", "ada", { id: "m1" });
    expect(t.ran).toEqual(["ping"]);
    expect(t.audited).toHaveLength(1);
  });

  it("on a network that never redelivers (IRC, the console) the seen store is not asked", async () => {
    const t = router({ middleware: (d) => defaultMiddleware({ ...d, redelivers: (n) => n !== "console" }) });
    await t.say("!ping", "ada", { id: "c1" });
    await t.say("!ping", "ada", { id: "c2" });
    expect(t.ran).toEqual(["ping", "ping"]);
    expect(t.seen.ids.size).toBe(0);
    expect(t.audited).toHaveLength(2);
  });

  it("an oversized message is refused before it is parsed, looked up or audited", async () => {
    const t = router();
    // Unparseable (unclosed quote) and unknown: only the size is reported.
    const r = await t.say(`!nosuch "${"x".repeat(5000)}`, "ada");
    expect(r.outcome).toBe("refused");
    expect(t.sent.map((m) => m.text)).toEqual([
      "That command is 5009 bytes; the limit is 4096. Nothing was run.",
    ]);
    expect(t.audited).toEqual([]);
  });

  it("a denied command is audited as denied, with the command's key, and never runs", async () => {
    const t = router();
    await t.say("!rc-mode on now please", "eve");
    expect(t.audited).toEqual([
      { event: "denied", who: "console:eve", network: "console", channel: "console", command: "rc-mode on" },
    ]);
    expect(t.ran).toEqual([]);
  });

  it("a command's own refusal is not audited as a role denial", async () => {
    const own = command({
      family: "own",
      name: "",
      usage: "!own",
      summary: "x",
      args: z.array(z.string()),
      roles: [],
      run: async () => {
        throw new PermissionError("Only the step's role may ack it.");
      },
    });
    const t = router({ commands: [own] });
    expect((await t.say("!own", "ada")).outcome).toBe("denied");
    expect(t.audited).toEqual([]);
  });

  it("audits an unknown command and a command run, with the jobs it queued", async () => {
    const t = router();
    await t.say("!nosuch thing", "ada");
    await t.say("!rc-mode on", "lee");
    expect(t.audited).toEqual([
      {
        event: "command",
        who: "console:ada",
        network: "console",
        channel: "console",
        command: "!nosuch thing",
        outcome: "unknown",
      },
      {
        event: "command",
        who: "console:lee",
        network: "console",
        channel: "console",
        command: "!rc-mode on",
        outcome: "queued #1",
      },
    ]);
  });

  it("adding a middleware is adding it to the list", async () => {
    const quiet: Middleware = async (req, next) => (req.msg.channel === "#quiet" ? "ignored" : next());
    const t = router({ middleware: (d) => [quiet, ...defaultMiddleware(d)] });
    expect((await t.say("!ping", "ada", { channel: "#quiet" })).outcome).toBe("ignored");
    expect((await t.say("!ping", "ada")).outcome).toBe("ok");
    expect(t.ran).toEqual(["ping"]);
  });

  it("sends a message's follow-up only once its command has run", async () => {
    const t = router();
    const closed: OutboundMessage = { network: "console", target: "console", kind: "reply", text: "closed" };
    await t.say("!rc-mode on", "eve", { whenRun: closed });
    expect(t.sent.map((m) => m.text)).not.toContain("closed");
    await t.say("!rc-mode on", "lee", { whenRun: closed });
    expect(t.sent.map((m) => m.text)).toEqual([
      expect.stringMatching(/needs the role/),
      "queued #1: rc-mode on",
      "closed",
    ]);
  });
});
