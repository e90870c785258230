import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { MemoryAdapter } from "../../src/bot/memory.js";
import { runbooksOf } from "../../src/config/runbook-load.js";
import { bindStep } from "../../src/config/runbook-params.js";
import { ManualClock } from "../../src/core/clock.js";
import type { OutboundMessage } from "../../src/core/messages.js";
import { getRun, type RunState, runKey } from "../../src/domain/runbook/state.js";
import { tickRunbooks } from "../../src/domain/runbook/tick.js";
import type { Services } from "../../src/domain/services.js";
import { SHIPPED_RUNBOOKS, shippedHosts } from "./config.js";
import { eventually, giveUp } from "./eventually.js";
import type { StartBot } from "./fixtures.js";
import type { Sshd } from "./sshd.js";

/** The people of a runbook test: who holds which role (console users of the memory adapter). */
export const CREW = { lead: "lena", engineer: "eve", losa: "olga", losa2: "oscar", nobody: "ned" } as const;
export const CREW_ROLES = { lead: ["lena"], engineer: ["eve"], losa: ["olga", "oscar"] };
export const HOLDER: Record<string, string> = { lead: CREW.lead, engineer: CREW.engineer, losa: CREW.losa };

/** A loopback HTTP server answering 200 "ok" to every GET (the runbooks' checks). */
export async function okServer(): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface DriveResult {
  run: RunState;
  /** The argv of every command the run should have run, in order. */
  expected: string[][];
  downtimeMs?: number;
}

export interface Driver {
  services: Services;
  adapter: MemoryAdapter;
  clock: ManualClock;
}

const run = (d: Driver, id: string) => getRun(d.services, runKey(d.services, "console", "console", id));

/**
 * Lets every loop iteration that is due, or would come due within the next gap,
 * run to its end, so no iteration runs beside the next step; records each
 * iteration's command once (counted[name] = iterations already recorded).
 */
async function settleLoops(
  d: Driver,
  id: string,
  gapMs: number,
  counted: Record<string, number>,
  expected: string[][],
): Promise<void> {
  const r = (await run(d, id))!;
  const rb = runbooksOf(d.services.config).runbooks.get(id)!;
  for (const name of Object.keys(r.loops)) {
    const step = bindStep(rb.steps[r.loops[name]!.step]!, r.params);
    for (;;) {
      const l = await eventually(async () => {
        const x = (await run(d, id))!.loops[name]!;
        return x.inFlight === undefined && x;
      }, `loop ${name} to finish its iteration`);
      if (step.kind === "loop")
        for (let i = counted[name] ?? 0; i < l.iterations; i++) expected.push(step.argv);
      counted[name] = l.iterations;
      if (l.stopped || (await run(d, id))!.status !== "active" || l.nextAt > d.clock.now() + gapMs) break;
      if (l.nextAt > d.clock.now()) d.clock.advance(l.nextAt - d.clock.now());
      await tickRunbooks(d.services);
      await eventually(
        async () => (await run(d, id))!.loops[name]!.iterations > l.iterations,
        `loop ${name} to iterate`,
      );
    }
  }
}

/** A check waiting for a loop to catch up: lets the loop's next iterations come due and run until the check ends. */
async function tickUntilCaughtUp(d: Driver, id: string, i: number, name: string): Promise<void> {
  await eventually(async () => {
    const x = (await run(d, id))!;
    return x.cursor > i || x.steps[i]!.status !== "pending";
  }, "the check to begin");
  for (;;) {
    const r = (await run(d, id))!;
    if (r.cursor > i || r.steps[i]!.status !== "running") return;
    const l = r.loops[name]!;
    if (l.inFlight === undefined) {
      if (l.nextAt > d.clock.now()) d.clock.advance(l.nextAt - d.clock.now());
      await tickRunbooks(d.services);
    }
    await eventually(async () => {
      const x = (await run(d, id))!;
      const lx = x.loops[name]!;
      return (
        x.cursor > i ||
        x.steps[i]!.status !== "running" ||
        (lx.inFlight === undefined && lx.iterations > l.iterations)
      );
    }, `loop ${name} to iterate for the check`);
  }
}

/**
 * Drives a started run to its end as its crew would in chat: `next` by the
 * engineer, acks by a holder of the step's role, confirms by a second LOSA,
 * waits and loops by moving the clock and ticking the scheduler.
 */
export async function driveToEnd(
  d: Driver,
  id: string,
  opts: { gapMs?: number; from?: number; stopBefore?: string } = {},
): Promise<DriveResult> {
  const rb = runbooksOf(d.services.config).runbooks.get(id)!;
  const gapMs = opts.gapMs ?? 20_000;
  const stop = opts.stopBefore ? rb.steps.findIndex((s) => s.id === opts.stopBefore) : rb.steps.length;
  if (stop < 0) throw new Error(`${id} has no step ${opts.stopBefore}`);
  const expected: string[][] = [];
  const counted: Record<string, number> = {};
  let downStart: number | undefined;
  let downEnd: number | undefined;
  for (let i = opts.from ?? 0; i < stop; i++) {
    d.clock.advance(gapMs);
    const r0 = (await run(d, id))!;
    // A step whose when: is false for the run's parameters was passed over, with the reason.
    if (r0.cursor > i && r0.steps[i]!.status === "skipped" && r0.steps[i]!.note?.startsWith("when: "))
      continue;
    if (r0.cursor !== i) throw new Error(`expected the run at step ${i + 1}, it is at ${r0.cursor + 1}`);
    const step = bindStep(rb.steps[i]!, r0.params);
    await d.adapter.say("!migrate next", CREW.engineer);
    if (step.irreversible) {
      await eventually(
        async () => (await run(d, id))!.steps[i]!.status === "awaiting-confirm",
        `confirm of ${i + 1}`,
      );
      await d.adapter.say("!migrate confirm", CREW.losa2);
    }
    if (step.kind === "manual") {
      await eventually(
        async () => (await run(d, id))!.steps[i]!.status === "awaiting-ack",
        `ack prompt of ${i + 1}`,
      );
      await d.adapter.say("!migrate ack done", HOLDER[step.role!]);
    }
    if (step.kind === "wait") {
      await eventually(
        async () => (await run(d, id))!.steps[i]!.status === "waiting",
        `wait ${i + 1} to start`,
      );
      d.clock.advance(step.duration);
      await tickRunbooks(d.services);
    }
    if (step.kind === "check" && step.loop) await tickUntilCaughtUp(d, id, i, step.loop);
    if (step.kind === "downtime-start") downStart = d.clock.now();
    if (step.kind === "downtime-end") downEnd = d.clock.now();
    const after = await eventually(
      async () => {
        const r = (await run(d, id))!;
        const sr = r.steps[i]!;
        if (sr.status === "failed") {
          const log = sr.job ? await d.services.jobs.log(sr.job) : "";
          giveUp(`step ${i + 1} failed: ${sr.result}\n${log}`);
        }
        return (r.cursor > i || r.status !== "active") && r;
      },
      `step ${i + 1} (${step.title}) to finish`,
    );
    if (step.kind === "ssh" || step.kind === "local") expected.push(step.argv);
    if (step.kind === "lpndt") expected.push(["lpndt", step.verb, step.service]);
    if (step.kind === "check" && step.argv) expected.push(step.argv);
    if (step.kind === "loop")
      await eventually(async () => (await run(d, id))!.loops[step.loop]?.iterations === 1, "first iteration");
    await settleLoops(d, id, gapMs, counted, expected);
    if (after.status !== "active") break;
  }
  // The run's state moves on before its jobs' last messages are delivered; let them arrive,
  // so a caller's next command is not answered by an earlier step's news.
  const drained = async () => {
    const jobs = (await d.services.jobs.recent(50)).filter(
      (j) => j.state === "queued" || j.state === "running",
    );
    return jobs.length === 0 && (await d.services.outbox.pending(d.adapter.network)) === 0;
  };
  await eventually(drained, "the last steps' messages to be delivered");
  const final = (await run(d, id))!;
  return {
    run: final,
    expected,
    downtimeMs: downStart !== undefined && downEnd !== undefined ? downEnd - downStart : undefined,
  };
}

/** Sends a command and resolves with the bot's next reply that matches. */
export async function ask(
  adapter: MemoryAdapter,
  text: string,
  user: string,
  match: (m: OutboundMessage) => boolean,
): Promise<OutboundMessage> {
  const n = adapter.sent.length;
  const p = adapter.waitFor((m) => adapter.sent.indexOf(m) >= n && match(m));
  await adapter.say(text, user);
  return p;
}

/**
 * A bot with the shipped runbooks, the crew's roles, every host they expect on one
 * sshd and `extra` config (e.g. `lpndt:`, `announce:`), on a ManualClock.
 */
export async function startRunbookBot(bot: StartBot, sshd: Sshd, extra: Record<string, unknown> = {}) {
  const clock = new ManualClock(Date.parse("2026-11-21T20:00:00Z"));
  const t = await bot({
    clock,
    roles: CREW_ROLES,
    config: { runbooks: SHIPPED_RUNBOOKS, hosts: shippedHosts(sshd.hostEntry()), ...extra },
  });
  return { ...t, clock, driver: { services: t.services, adapter: t.adapter, clock } as Driver };
}

/**
 * Each shipped runbook (copr twice: a frontend and a backend) with parameters that
 * point every URL it checks at `url` (`port`: its port) and the DB deployment's
 * site at `site`: the runs the end-to-end and rehearsal tests walk.
 */
export function shippedRuns(urls: () => { url: string; port: string; site: string }) {
  const copr = (component: string, instance: string, mount: string) => () => ({
    component,
    instance,
    data_mount: mount,
    stop_unit: `copr-${component}.target`,
    check_url: urls().url,
  });
  const runs: [id: string, params: () => Record<string, string>, label?: string][] = [
    [
      "librarian-migration",
      () => ({
        old_app: "launchpad-librarian-old",
        old_spool: "old-librarian.internal:/srv/launchpad/librarian/",
        new_address: "127.0.0.1",
        download_port: urls().port,
        old_file: "12345/hello_1.0.dsc",
        frontend_url: urls().url,
      }),
    ],
    ["launchpad-db-deployment", () => ({ revision: "10381", site_url: urls().site })],
    ["hkn-rails-migrate-to-prod", () => ({ site_url: urls().url })],
    [
      "ofn-server-move",
      () => ({
        new_ip: "127.0.0.2",
        new_domain: "prod2.example.org",
        domain: "example.org",
        old_login: "ubuntu@old.example.org",
        old_db_host: "old.example.org",
      }),
    ],
    ["copr-instance-upgrade", copr("frontend", "devel", "/srv/copr-fe")],
    ["copr-instance-upgrade", copr("backend", "production", "/srv/copr-repo"), "backend"],
  ];
  return runs;
}

/** An argv as the sshd harness's fake commands record it: "lpndt [service-stop] [cron-fdt]". */
export const sshdCall = (argv: readonly string[]) =>
  `${argv[0]}${argv
    .slice(1)
    .map((a) => ` [${a}]`)
    .join("")}`;
