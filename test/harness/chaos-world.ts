import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { ChaosEvent } from "./chaos-schedule.js";
import { type ChildBot, ROOT, spawnBot, writeConfig } from "./child.js";
import { newPrefix, testConfig } from "./config.js";
import { type Ngircd, startNgircd } from "./irc.js";
import { endGroup } from "./processes.js";
import { type RunningServer, startRedis } from "./servers.js";
import { type Sshd, startSshd } from "./sshd.js";
import { TcpGate } from "./tcp-gate.js";

/** The commands of the drill's runbook (test/fixtures/runbooks-chaos), fakes on its sshd. */
const FAKES = ["sync", "rsync", "probe", "lpndt", "dropdb"];
export const OPERATOR = "op";
export const CHANNEL = "#ops";

export interface DowntimePlan {
  /** Lead times and window for the config, chosen so every slot comes due during the drill. */
  config: Record<string, unknown>;
  /** The `!downtime schedule` command, at the drill's start. */
  command: string;
  /** When the last slot (the overrun) comes due. */
  lastDue: number;
}

/**
 * A downtime whose whole plan (merge cut-off, reminder, early pause, start,
 * off-track, overrun) comes due within `spanMs` from now, on the bot's real
 * clock: the lead times are configuration, so they are scaled down to the
 * drill instead of the drill waiting hours.
 */
export function planDowntime(now: number, spanMs: number): DowntimePlan {
  const sec = (f: number) => Math.max(1, Math.round((spanMs * f) / 1000));
  const lead = { mergeCutoff: sec(0.5), reminder: sec(0.4), earlyPause: sec(0.2), offTrack: sec(0.1) };
  // The first slot (the merge cut-off) comes due a little after the bot has scheduled the plan.
  const margin = Math.max(5_000, spanMs * 0.1);
  const start = Math.ceil((now + margin + lead.mergeCutoff * 1000) / 1000) * 1000;
  const window = sec(0.3);
  return {
    config: {
      lateAfter: "1h", // a slot posted after a restart is still one announcement; late marks are not the point
      leadTimes: {
        mergeCutoff: `${lead.mergeCutoff}s`,
        reminder: `${lead.reminder}s`,
        earlyPause: `${lead.earlyPause}s`,
        offTrack: `${lead.offTrack}s`,
        backupNotice: "1h",
      },
    },
    command: `!downtime schedule ${new Date(start).toISOString()} window=${window}s Chaos drill`,
    lastDue: start + window * 1000,
  };
}

/** The servers of a drill, the bot's config, and the bot as a process it can kill -9 and restart. */
export class ChaosWorld {
  bots: ChildBot[] = [];
  selfExits: string[] = [];
  /**
   * Bots that stopped at start because Redis did not answer within 5 s while it
   * was partitioned: as designed (a start that cannot reach Redis says so and
   * ends; systemd starts it again), so counted apart, not as a violation.
   */
  refusedStarts: string[] = [];
  /** The partitions so far: from, and until (unset while one lasts). */
  private readonly partitions: { from: number; until?: number }[] = [];
  /** Every console line any of the bots wrote, in order (a pipe keeps what a killed bot wrote). */
  readonly lines: string[] = [];
  /** When the drill read each of those lines. */
  readonly lineTimes: number[] = [];
  private stopping = false;

  private constructor(
    readonly redis: RunningServer & { url: string },
    readonly gate: TcpGate,
    public ngircd: Ngircd,
    readonly sshd: Sshd,
    readonly prefix: string,
    readonly configPath: string,
    readonly dir: string,
    readonly kv: Redis,
  ) {}

  static async start(downtime: DowntimePlan["config"]): Promise<ChaosWorld> {
    const redis = await startRedis();
    const started: { stop(): Promise<void> }[] = [redis];
    try {
      const gate = await TcpGate.start(redis.port);
      started.push(gate);
      const ngircd = await startNgircd();
      started.push(ngircd);
      const sshd = await startSshd(FAKES);
      started.push(sshd);
      sshd.behave("probe", { output: ["not yet"] }); // ready once the drill says so (chaos.ts)
      // Every command takes a moment, so kills, restarts and partitions land inside steps and loop iterations too.
      sshd.behave("lpndt", { delay: 3 });
      sshd.behave("dropdb", { delay: 2 });
      sshd.behave("sync", { delay: 1.5 });
      sshd.behave("rsync", { delay: 0.5 });
      const dir = mkdtempSync(join(tmpdir(), "changebot-chaos-"));
      const prefix = newPrefix("chaos");
      const config = testConfig({
        redis: `redis://127.0.0.1:${gate.port}`,
        prefix,
        user: OPERATOR,
        roles: { lead: [OPERATOR], engineer: [OPERATOR], losa: [OPERATOR] },
        // A 3 s job lock: a loaded machine's late renewal is not taken for a dead worker.
        jobs: { lockMs: 3000, stalledCheckMs: 1000 },
        networks: {
          console: { user: OPERATOR },
          irc: {
            host: "127.0.0.1",
            port: ngircd.port,
            tls: false,
            nick: "changebot",
            channels: [CHANNEL],
            burst: 10,
            linesPerSecond: 20,
          },
        },
        announce: ["console:console", `irc:${CHANNEL}`],
        hosts: { box: sshd.hostEntry() },
        runbooks: join(ROOT, "test/fixtures/runbooks-chaos"),
        // One operator plays every role here; the two-person rule has tests of its own.
        twoPersonRule: false,
        downtime,
        dataDir: join(dir, "data"),
      });
      const kv = new Redis(redis.url, { maxRetriesPerRequest: 3 });
      return new ChaosWorld(redis, gate, ngircd, sshd, prefix, writeConfig(config, dir), dir, kv);
    } catch (e) {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      throw e;
    }
  }

  get bot(): ChildBot {
    return this.bots[this.bots.length - 1]!;
  }

  botUp(): boolean {
    const p = this.bot?.proc;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  startBot(): ChildBot {
    const bot = spawnBot(["--config", this.configPath]);
    let partial = "";
    bot.proc.stdout!.on("data", (d: Buffer) => {
      const parts = (partial + d.toString()).split("\n");
      partial = parts.pop() ?? "";
      this.lines.push(...parts);
      for (const _ of parts) this.lineTimes.push(Date.now());
    });
    bot.proc.stdout!.on("end", () => {
      if (partial) {
        this.lines.push(partial);
        this.lineTimes.push(Date.now());
      }
      partial = "";
    });
    // A bot that ends by itself (not killed here) is started again, as systemd would.
    const spawned = Date.now();
    bot.proc.once("exit", (code, signal) => {
      if (this.stopping || signal === "SIGKILL" || bot !== this.bot) return;
      const why = `exit ${code ?? signal}: ${bot.stderr().trim().split("\n").slice(-3).join(" | ")}`;
      const partitioned = this.partitions.some((p) => p.from < Date.now() && (p.until ?? Infinity) > spawned);
      (partitioned && /cannot reach Redis/.test(why) ? this.refusedStarts : this.selfExits).push(why);
      setTimeout(() => {
        if (!this.stopping && bot === this.bot) this.startBot();
      }, 500);
    });
    this.bots.push(bot);
    return bot;
  }

  /** Types a line into the running bot's console (lost if the bot dies before reading it, as a person's would be). */
  say(line: string): void {
    if (this.botUp()) this.bot.write(line);
  }

  async apply(e: ChaosEvent): Promise<void> {
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    switch (e.kind) {
      case "kill":
        if (this.botUp()) await this.bot.kill9();
        await pause(e.downMs);
        this.startBot();
        return;
      case "irc":
        await this.ngircd.kill();
        await pause(e.downMs);
        this.ngircd = await this.ngircd.restart();
        return;
      case "sshd":
        await this.sshd.restart(e.downMs);
        return;
      case "partition":
        // New connections wait, open ones go silent both ways; then everything flows again.
        this.partitions.push({ from: Date.now() });
        this.gate.hold();
        this.gate.stall("both");
        await pause(e.downMs);
        this.gate.unstall();
        this.gate.release();
        this.partitions[this.partitions.length - 1]!.until = Date.now();
        return;
    }
  }

  /** Fake commands' calls on the sshd: "lpndt [migrate]". */
  calls(): string[] {
    return this.sshd.calls();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.botUp()) {
      this.bot.end();
      const done = await Promise.race([
        this.bot.exited().then(() => true),
        new Promise((r) => setTimeout(() => r(false), 15_000)),
      ]);
      if (!done) await this.bot.kill9();
    }
    // Each bot's whole process group, the killed ones' too.
    for (const b of this.bots) await endGroup(b.proc, 0, "SIGKILL");
    this.kv.disconnect();
    for (const s of [this.gate, this.ngircd, this.sshd, this.redis]) await s.stop().catch(() => {});
    rmSync(this.ngircd.dir, { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
