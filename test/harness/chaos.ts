import { type Checked, checkInvariants, markerKey, missedSlots, SLOTS } from "./chaos-check.js";
import { IrcWatcher } from "./chaos-irc.js";
import { Operator, READY_AT } from "./chaos-operator.js";
import {
  type ChaosEvent,
  type ChaosKind,
  type ChaosSize,
  describeEvent,
  drawSchedule,
} from "./chaos-schedule.js";
import { ChaosWorld, planDowntime } from "./chaos-world.js";

/**
 * The chaos drill (issue #16): real redis-server (behind a TcpGate), ngircd and
 * sshd, the real bot as a child process on the console and IRC, a runbook with
 * every kind of step driven to its end by an operator in the console, and a
 * downtime whose announcements come due meanwhile; and a seeded schedule of
 * kill -9s of the bot, ngircd and sshd restarts and Redis partitions. Then the
 * invariants (chaos-check.ts). Used by bench/chaos.ts and test/integration/chaos.test.ts.
 */
export interface DrillOptions extends ChaosSize {
  seed: number;
  /** How long, after the last event, the run and the announcements may take to finish. */
  finishTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DrillReport extends Checked {
  seed: number;
  schedule: ChaosEvent[];
  /** The operator's actions, each the first time it was needed. */
  script: string[];
  counts: Record<string, number>;
  figures: { seconds: number };
  /** Seconds from the drill's start: when the IRC watcher was out of the channel. */
  ircAbsent: string[];
  startedAt: number;
  status: string[];
  /** Everything the bots printed on the console, in order. */
  lines: string[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(timeoutMs: number, cond: () => Promise<boolean> | boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await pause(250);
  }
  return false;
}

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const t0 = Date.now();
  const say = o.log ?? (() => {});
  const log = (l: string) => say(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${l}`);
  const schedule = drawSchedule(o.seed, o.minGapMs ? o : { ...o, minGapMs: 1_000 });
  const spanMs = Math.max(
    20_000,
    schedule.reduce((a, e) => a + e.gapMs + e.downMs + 1_000, 0),
  );
  const world = await ChaosWorld.start(planDowntime(t0, spanMs).config);
  const problems: string[] = [];
  let stopOp = false;
  const watcher = new IrcWatcher(() => world.ngircd.port);
  try {
    world.startBot();
    // Up and answering first, so the downtime's plan starts from when the bot can schedule it.
    world.say("!downtime list");
    await world.bot.waitForLine(/No downtimes scheduled/, 60_000);
    log("the bot is up");
    await watcher.start();
    const plan = planDowntime(Date.now(), spanMs);
    world.say(plan.command);
    await world.bot.waitForLine(/Scheduled #1 "Chaos drill"/, 60_000);
    log(`downtime scheduled: ${plan.command}`);
    const op = new Operator(world);
    let progress = 0;
    // The check's target is not ready until a quarter of the chaos has happened: the check keeps trying meanwhile.
    world.sshd.behave("probe", { output: ["not yet"] });
    const opLoop = (async () => {
      while (!stopOp) {
        try {
          await op.tick(progress);
        } catch (e) {
          problems.push(`operator: ${(e as Error).message}`);
        }
        await pause(250);
      }
    })();
    const counts: Record<ChaosKind, number> = { kill: 0, irc: 0, sshd: 0, partition: 0 };
    for (const e of schedule) {
      if (progress >= READY_AT) world.sshd.behave("probe", { output: ["ready"] });
      await pause(e.gapMs);
      log(describeEvent(e));
      await world.apply(e);
      counts[e.kind]++;
      progress = e.n / schedule.length;
    }
    world.sshd.behave("probe", { output: ["ready"] });
    const timeout = o.finishTimeoutMs ?? 180_000;
    log("chaos over: the operator signs off, the run and the announcements finish");
    const finished = await until(timeout, async () => (await op.run())?.status === "finished");
    if (!finished) log("the run did not finish in time");
    await until(Math.max(timeout / 2, plan.lastDue - Date.now() + 30_000), async () => {
      if (Date.now() < plan.lastDue) return false;
      const missed = missedSlots(world.lines);
      const due = SLOTS.map(([s]) => s).filter((s) => !missed.has(s));
      const marks = await Promise.all(due.map((s) => world.kv.get(markerKey(world.prefix, s))));
      return marks.every((m) => m === "posted" || m === "dropped");
    });
    // What the run's last steps and the announcements said reaches the console.
    await pause(2_000);
    const before = world.lines.length;
    world.say("!migrate status");
    await until(30_000, () => world.lines.length > before);
    await pause(1_000);
    const status = world.lines.slice(before);
    stopOp = true;
    await opLoop;
    const run = await op.run();
    const checked = await checkInvariants(world, op, run, watcher);
    checked.violations.push(...problems);
    const jobsRun = run ? run.steps.reduce((a, s) => a + s.jobs.length, 0) : 0;
    return {
      ...checked,
      seed: o.seed,
      schedule,
      script: op.script,
      status,
      lines: [...world.lines],
      counts: {
        kills: counts.kill,
        "irc restarts": counts.irc,
        "sshd restarts": counts.sshd,
        partitions: counts.partition,
        "starts refused in a partition": world.refusedStarts.length,
        "bot processes": world.bots.length,
        "steps done": run ? run.steps.filter((s) => s.status === "done").length : 0,
        "step jobs": jobsRun,
        "interrupted or failed jobs": op.troubled.size,
        "loop iterations": run?.loops.spool?.iterations ?? 0,
        "operator actions": op.script.length,
        "operator resends": op.resent,
        nudges: op.nudges,
        "once-only commands run": checked.commands
          .filter((c) => !c.idempotent)
          .reduce((a, c) => a + c.ran, 0),
        "idempotent commands run": checked.commands
          .filter((c) => c.idempotent)
          .reduce((a, c) => a + c.ran, 0),
        "announcements posted": checked.announcements.reduce((a, x) => a + x.seen, 0),
        "replies delivered": checked.replies.delivered,
        "console lines": world.lines.length,
        "irc watcher reconnects": watcher.reconnects,
        violations: checked.violations.length,
      },
      figures: { seconds: Math.round((Date.now() - t0) / 1000) },
      ircAbsent: watcher.present.slice(1).map(([back], i) => {
        const left = watcher.present[i]![1]!;
        return `${((left - t0) / 1000).toFixed(1)}–${((back - t0) / 1000).toFixed(1)}s`;
      }),
      startedAt: t0,
    };
  } finally {
    stopOp = true; // also when the drill itself failed: the operator stops looking before the servers go
    watcher.stop();
    await world.stop();
  }
}

/** The report as text: seed, schedule, operator script, counts, violations. */
export function formatReport(r: DrillReport): string {
  const out = [`chaos drill, seed ${r.seed} (rerun: npx tsx bench/chaos.ts --seed ${r.seed})`, "schedule:"];
  out.push(...r.schedule.map(describeEvent));
  out.push(`operator: ${r.script.join(" → ")}`);
  out.push("remote commands (ran):");
  for (const c of r.commands)
    out.push(`  ${c.call.padEnd(20)} ${c.idempotent ? "idempotent " : "once-only  "} ${c.ran}`);
  out.push(
    "announcements: console lines (marker); lines an IRC watcher saw, which misses what comes while ngircd is down",
  );
  for (const a of r.announcements)
    out.push(
      `  ${a.what.padEnd(20)} ${a.seen}${a.marker ? ` (${a.marker})` : ""}${a.at ? ` at ${((a.at - r.startedAt) / 1000).toFixed(1)}s` : ""}; irc ${a.irc ?? "-"}${a.ircLost ? " (LOST: the watcher was there)" : ""}`,
    );
  out.push(
    `replies: ${r.replies.delivered} delivered, ${r.replies.queued} still queued, ${r.replies.failed} failed`,
  );
  out.push("counts:", ...Object.entries(r.counts).map(([k, v]) => `  ${k.padEnd(28)} ${v}`));
  out.push(
    `took ${r.figures.seconds} s; the IRC watcher was out of the channel at ${r.ircAbsent.join(", ") || "no time"}`,
  );
  out.push(`!migrate status at the end: ${r.status.join(" / ").slice(0, 300)}`);
  out.push(r.violations.length ? `VIOLATIONS (${r.violations.length}):` : "0 violations");
  out.push(...r.violations.map((v) => `  - ${v}`));
  return out.join("\n");
}
