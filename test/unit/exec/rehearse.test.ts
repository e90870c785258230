import { describe, expect, it } from "vitest";
import type { HostSpec } from "../../../src/config/schema.js";
import { ExecDispatcher } from "../../../src/exec/dispatch.js";
import type { ExecContext, Executor } from "../../../src/exec/executor.js";

/** A rehearsed command, as the dispatcher shows it: where, as whom, the words as sent, the timeout. */

const host = (o: Partial<HostSpec>): HostSpec =>
  ({ host: "h.internal", port: 22, user: "ubuntu", key: "/k", timeout: 600_000, ...o }) as HostSpec;
const hosts: Record<string, HostSpec> = {
  bastion: host({ host: "bastion.internal", user: "stg-launchpad" }),
  "librarian-new": host({
    host: "librarian-new.internal",
    user: "launchpad",
    port: 2222,
    jump: "bastion",
    timeout: 90_000,
  }),
};

/** Executors that fail the test if anything reaches them. */
const never: Executor = {
  execute: () => {
    throw new Error("a rehearsal reached an executor");
  },
};

function rehearsed() {
  const lines: string[] = [];
  const log: string[] = [];
  const ctx: ExecContext = {
    jobId: 1,
    log: async (c) => void log.push(c),
    rehearsal: { record: async (l) => void lines.push(l) },
  };
  return { ctx, lines, log, d: new ExecDispatcher(never, never, hosts) };
}

describe("the dispatcher in a rehearsal", () => {
  it("shows a remote command with its host, user, address, jump host, quoted words and timeout", async () => {
    const { ctx, lines, log, d } = rehearsed();
    const r = await d.execute({ host: "librarian-new", argv: ["rsync", "-a", "--", "a b", "it's"] }, ctx);
    const line = `ssh librarian-new (launchpad@librarian-new.internal:2222 via bastion): 'rsync' '-a' '--' 'a b' 'it'\\''s' (timeout 1m 30s)`;
    expect(r).toMatchObject({ ok: true, exit: 0, summary: `would run ${line}` });
    expect(lines).toEqual([line]);
    expect(log.join("")).toBe(`REHEARSAL, not run: ${line}\n`);
  });

  it("uses the step's user and timeout over the host entry's", async () => {
    const { ctx, d } = rehearsed();
    const r = await d.execute(
      { host: "bastion", user: "root", argv: ["lpndt", "service-stop", "cron-fdt"], timeoutMs: 300_000 },
      ctx,
    );
    expect(r.summary).toBe(
      "would run ssh bastion (root@bastion.internal:22): 'lpndt' 'service-stop' 'cron-fdt' (timeout 5m)",
    );
  });

  it("shows a local command as its argument vector, with no shell", async () => {
    const { ctx, d } = rehearsed();
    const r = await d.execute({ host: "local", argv: ["pg_dump", "--", "my db"] }, ctx);
    expect(r.summary).toBe("would run local (no shell): pg_dump -- 'my db' (no timeout)");
  });

  it("fails, running nothing, where the real run could not start the command", async () => {
    const { ctx, lines, d } = rehearsed();
    const missing = await d.execute({ host: "copr-old", argv: ["true"] }, ctx);
    expect(missing).toMatchObject({
      ok: false,
      summary: 'REHEARSAL: this command could not run: there is no host "copr-old" in hosts:',
    });
    const nul = await d.execute({ host: "bastion", argv: ["echo", "a\0b"] }, ctx);
    expect(nul.ok).toBe(false);
    expect((await d.execute({ argv: [] }, ctx)).ok).toBe(false);
    expect(lines).toEqual([]);
  });
});
