import { describe, expect, it } from "vitest";
import { commandContext } from "../../../src/commands/context.js";
import type { InboundMessage, OutboundMessage } from "../../../src/core/messages.js";
import { stepKinds } from "../../../src/domain/runbook/kinds/index.js";
import type { Services } from "../../../src/domain/services.js";
import { buildHandlers } from "../../../src/jobs/handlers.js";

const msg: InboundMessage = {
  network: "irc",
  channel: "#ops",
  user: { network: "irc", id: "eve", display: "eve", account: "eve" },
  text: "!lpndt service-stop cron-fdt",
  id: "m1",
  threadId: "T1",
};

/** A context on fakes that log, in order, what starting a job does. */
function context() {
  const steps: string[] = [];
  const sent: OutboundMessage[] = [];
  let id = 6;
  const services = {
    config: { web: { enabled: true } },
    clock: { now: () => 0 },
    outbox: {
      send: async (m: OutboundMessage) => {
        steps.push(`send ${m.text}`);
        sent.push(m);
      },
    },
    jobs: {
      create: async (init: { name: string }, wantsAck: boolean) => {
        steps.push(`create ${init.name}${wantsAck ? " (ack)" : ""}`);
        return { ...init, id: ++id, ref: `j${id}` };
      },
      acked: async (n: number) => void steps.push(`acked #${n}`),
    },
    queues: { get: () => ({ add: async (name: string) => void steps.push(`queue ${name}`) }) },
  } as unknown as Services;
  const jobs: number[] = [];
  const ctx = commandContext(
    { services, commands: [], handlers: buildHandlers(stepKinds()) },
    msg,
    { args: {}, words: [], roles: ["engineer"] },
    jobs,
  );
  return { ctx, steps, sent, jobs };
}

describe("a command's context", () => {
  it("queues a job, then acks it in the asker's thread under the job's ref, then lets its messages follow", async () => {
    const t = context();
    const rec = await t.ctx.enqueue({ name: "lpndt", summary: "lpndt service-stop cron-fdt" });
    expect(rec.id).toBe(7);
    expect(t.steps).toEqual([
      "create lpndt (ack)",
      "queue lpndt",
      "send queued #7: lpndt service-stop cron-fdt",
      "acked #7",
    ]);
    expect(t.sent[0]).toEqual({
      network: "irc",
      target: "#ops",
      kind: "reply",
      text: "queued #7: lpndt service-stop cron-fdt",
      ref: "j7",
      threadId: "T1",
    });
    expect(t.jobs).toEqual([7]);
  });

  it("uses the command's own ack text, or none for a quiet job", async () => {
    const t = context();
    await t.ctx.enqueue({ name: "ping", summary: "ping", ack: (r) => `pinging (#${r.id})` });
    await t.ctx.enqueue({ name: "ping", summary: "ping", quiet: true });
    expect(t.sent.map((m) => m.text)).toEqual(["pinging (#7)"]);
    expect(t.steps).toContain("create ping");
    expect(t.jobs).toEqual([7, 8]);
  });

  it("replies in the asker's thread", async () => {
    const t = context();
    await t.ctx.reply("nope", { kind: "alarm" });
    expect(t.sent).toEqual([{ network: "irc", target: "#ops", kind: "alarm", text: "nope", threadId: "T1" }]);
  });
});
