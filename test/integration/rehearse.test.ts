import { runbooksOf } from "../../src/config/runbook-load.js";
import { bindStep } from "../../src/config/runbook-params.js";
import { formatDuration } from "../../src/core/duration.js";
import { afterAll, beforeAll, describe, expect, test } from "../harness/fixtures.js";
import { ask, CREW, driveToEnd, shippedRuns, startRunbookBot } from "../harness/runbook-driver.js";
import { connectionsSince } from "../harness/sshd.js";
import { startWebhookSink } from "../harness/webhook.js";

/**
 * Issue #14 point 2: `!migrate start <runbook> --rehearse` walks each shipped
 * runbook to its end against the test config, and touches nothing: no SSH
 * connection (sshd's own log and its recorded commands), no HTTP request (the
 * webhook target and the checks' URLs are one request counter), nothing said
 * outside the run's channel and no topic; every message says REHEARSAL, and
 * `!migrate log` lists every command as it would have run.
 */

/** A command as sent to the remote shell: every word single-quoted. */
const quoted = (argv: readonly string[]) => argv.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");

describe("a rehearsal of each shipped runbook touches nothing and lists every command", () => {
  let hook: Awaited<ReturnType<typeof startWebhookSink>>;
  beforeAll(async () => {
    hook = await startWebhookSink();
  });
  afterAll(async () => {
    await hook?.close();
  });

  // Every URL a runbook checks is the webhook sink too: one counter for every HTTP request.
  const base = () => new URL(hook.url).origin;
  const cases = shippedRuns(() => ({ url: `${base()}/`, port: new URL(hook.url).port, site: `${base()}/` }));

  for (const [id, params, label] of cases) {
    test(`${id}${label ? ` (${label})` : ""}: rehearsed to the end with no SSH, no HTTP, nothing outside its channel`, {
      timeout: 60_000,
    }, async ({ bot, runbookSshd: sshd }) => {
      const entry = sshd.hostEntry() as { user: string; port: number };
      // A real run would post to the webhook and to another channel.
      const t = await startRunbookBot(bot, sshd, { announce: [`webhook:${hook.url}`, "console:#announce"] });
      const { clock } = t;
      sshd.clearCalls();
      const sshdLog = sshd.output().length;
      const hits = hook.hits.length;
      const kv = Object.entries(params()).map(([k, v]) => `${k}=${v}`);
      const plan = await ask(t.adapter, `!migrate start ${id} --rehearse ${kv.join(" ")}`, CREW.lead, (m) =>
        m.text.includes("run #"),
      );
      expect(plan.text).toMatch(new RegExp(`^\\[REHEARSAL\\] ${id} run #\\d+ started by lena`));
      const driver = { services: t.services, adapter: t.adapter, clock };
      const result = await driveToEnd(driver, id);
      expect(result.run.status).toBe("finished");
      expect(result.run.rehearsal).toBe(true);

      // Nothing reached sshd: no command recorded, no connection in its log.
      expect(sshd.calls()).toEqual([]);
      expect(connectionsSince(sshd, sshdLog)).toEqual([]);
      // No HTTP request: neither the webhook nor a check's URL was asked anything.
      await new Promise((r) => setImmediate(r));
      expect(hook.hits.length - hits).toBe(0);
      // Nothing outside the run's channel, no topic, and every message says it is a rehearsal.
      const sent = t.adapter.sent;
      expect(sent.filter((m) => m.kind === "topic")).toEqual([]);
      expect(sent.filter((m) => m.target !== "console").map((m) => m.text)).toEqual([]);
      expect(sent.filter((m) => !m.text.includes("REHEARSAL")).map((m) => m.text)).toEqual([]);

      const rb = runbooksOf(t.services.config).runbooks.get(id)!;
      // Each announcement is shown in the channel, where a real run would have made it.
      for (const raw of rb.steps.filter((s) => s.kind === "announce")) {
        const step = bindStep(raw, result.run.params);
        if (step.kind !== "announce") continue;
        expect(t.adapter.texts()).toContain(
          `[REHEARSAL] announcement, not made (it would go to webhook:${base()}/…, console:#announce):\n${step.text}`,
        );
      }

      // The log lists every command the run would have run, in order, exactly as it would run.
      const log = await ask(t.adapter, "!migrate log", CREW.engineer, (m) => m.text.includes("(finished)"));
      expect(log.text).toMatch(new RegExp(`^\\[REHEARSAL\\] ${id} run #\\d+ \\(finished\\)`));
      // Waits are cut to a second (the driver still moves the clock by the runbook's duration).
      for (const [i, raw] of rb.steps.entries())
        if (raw.kind === "wait" && result.run.steps[i]!.status === "done")
          expect(log.text).toContain(`step ${i + 1} waiting 1s`);
      const shown = log.text
        .split("\n")
        .filter((l) => l.includes("REHEARSAL, would run: "))
        .map((l) => l.slice(l.indexOf("would run: ") + "would run: ".length));
      const lineOf = new Map<string, string[]>();
      for (const raw of rb.steps) {
        const step = bindStep(raw, result.run.params);
        const cmd =
          step.kind === "ssh" || step.kind === "loop" || (step.kind === "check" && step.argv)
            ? step
            : step.kind === "lpndt"
              ? {
                  host: step.host,
                  user: step.user,
                  timeout: step.timeout,
                  argv: ["lpndt", step.verb, step.service],
                }
              : undefined;
        if (!cmd || !("argv" in cmd) || !cmd.argv) continue;
        const host = "host" in cmd ? cmd.host : undefined;
        if (!host) throw new Error(`${id}: a command step without a host; this test expects none`);
        const user = ("user" in cmd && cmd.user) || entry.user;
        const line = `ssh ${host} (${user}@127.0.0.1:${entry.port}): ${quoted(cmd.argv)} (timeout ${formatDuration(
          cmd.timeout ?? 600_000,
        )})`;
        const key = JSON.stringify(cmd.argv);
        lineOf.set(key, [...(lineOf.get(key) ?? []), line]);
      }
      expect(result.expected.length).toBeGreaterThan(id === "launchpad-db-deployment" ? -1 : 2);
      expect(shown).toHaveLength(result.expected.length);
      for (const [i, argv] of result.expected.entries())
        expect(lineOf.get(JSON.stringify(argv)), `command ${i + 1}`).toContain(shown[i]);
    });
  }
});
