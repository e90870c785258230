import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { RunState } from "../../src/domain/runbook/state.js";
import type { ChaosWorld } from "./chaos-world.js";
import { ROOT } from "./child.js";

/** The drill's runbook as written: each step's id, kind, and the fake call its command leaves on the sshd. */
export interface DrillStep {
  id: string;
  kind: string;
  idempotent: boolean;
  /** "lpndt [migrate]", as the sshd's fakes record a call; none for steps without a remote command. */
  call?: string;
}

export const RUNBOOK = "chaos";

/**
 * When the operator passes each gate of the runbook, as a share of the chaos
 * schedule: the check's target turns ready at a quarter (chaos.ts), the manual
 * look is acked at 40 %, the irreversible drop confirmed at 60 %, the sign-off
 * acked once every failure has happened.
 */
export const GATES: Record<string, number> = { look: 0.4, drop: 0.6, "sign-off": 1 };
export const READY_AT = 0.25;

export function drillSteps(): DrillStep[] {
  const doc = parse(readFileSync(join(ROOT, "test/fixtures/runbooks-chaos/chaos.yaml"), "utf8")) as {
    steps: { id: string; kind: string; idempotent?: boolean; argv?: string[] }[];
  };
  return doc.steps.map((s) => ({
    id: s.id,
    kind: s.kind,
    idempotent: s.idempotent === true,
    call: s.argv
      ? `${s.argv[0]}${s.argv
          .slice(1)
          .map((a) => ` [${a}]`)
          .join("")}`
      : undefined,
  }));
}

/**
 * The operator: looks at the run's record in Redis (read directly, not
 * through the partitioned link) and types in the console what a person would:
 * start, run, confirm, the sign-off ack once the chaos is over, and for a step
 * reported interrupted or failed, `!job done` when its command is known to have
 * run (its call is in the sshd's record) and `!migrate retry` when it did not.
 * A line typed into a bot that died before reading it is lost, as a person's
 * would be; the same action is typed again only after `resendMs` with no change.
 */
export class Operator {
  /** Every action, first time for each situation (the script a seed reproduces). */
  readonly script: string[] = [];
  resent = 0;
  nudges = 0;
  /** Jobs the run showed as interrupted or failed, with the step. */
  readonly troubled = new Map<number, { step: string; status: string }>();
  private last?: { key: string; at: number };
  private since?: { sig: string; at: number };
  readonly steps = drillSteps();

  constructor(
    private readonly world: ChaosWorld,
    private readonly resendMs = 5_000,
    private readonly stuckMs = 30_000,
  ) {}

  runKey(): string {
    return `${this.world.prefix}:rb:run:console:console:${RUNBOOK}`;
  }

  async run(): Promise<RunState | undefined> {
    const raw = await this.world.kv.get(this.runKey());
    return raw ? (JSON.parse(raw) as RunState) : undefined;
  }

  count(call: string): number {
    return this.world.calls().filter((c) => c === call).length;
  }

  /**
   * One look and at most one action. `progress` is the share of the chaos
   * schedule already applied: the operator holds each gate until its share has
   * passed (GATES), so the failures land all along the run and not only on its
   * last gate, and the same seed gives the same actions in the same order.
   */
  async tick(progress: number): Promise<RunState | undefined> {
    const r = await this.run();
    if (!r) {
      this.act("!migrate start chaos", "none");
      return undefined;
    }
    if (r.status !== "active") return r;
    const sr = r.steps[r.cursor];
    if (!sr) return r;
    const step = this.steps[r.cursor]!;
    const sig = `${r.cursor}:${sr.status}:${sr.job ?? ""}:${r.auto ? "auto" : ""}`;
    const now = Date.now();
    if (this.since?.sig !== sig) this.since = { sig, at: now };
    const still = now - this.since.at;
    switch (sr.status) {
      case "awaiting-confirm":
        if (progress >= (GATES[step.id] ?? 0)) this.act("!migrate confirm", sig);
        break;
      case "awaiting-ack":
        if (progress >= (GATES[step.id] ?? 0)) this.act("!migrate ack looks fine", sig);
        break;
      case "interrupted":
      case "failed": {
        if (sr.job !== undefined) this.troubled.set(sr.job, { step: step.id, status: sr.status });
        // A command sent just before the bot died may still be starting on the host: look after a moment.
        if (still < 1_500) break;
        const ran = !step.idempotent && step.call && this.count(step.call) > 0;
        this.act(ran ? `!job done ${sr.job}` : "!migrate retry", sig);
        break;
      }
      case "pending":
        if (!r.auto) this.act("!migrate run", sig);
        else if (still > this.stuckMs) {
          // Run mode is on and nothing has moved for a long time: ask, as a person would, and push.
          this.nudges++;
          this.world.say("!migrate status");
          this.act("!migrate run", `${sig}:nudge${this.nudges}`);
          this.since = { sig, at: now };
        }
        break;
    }
    return r;
  }

  private act(line: string, sig: string): void {
    if (!this.world.botUp()) return;
    const key = `${line}|${sig}`;
    const now = Date.now();
    if (this.last?.key === key) {
      if (now - this.last.at < this.resendMs) return;
      this.resent++;
    } else this.script.push(line);
    this.last = { key, at: now };
    this.world.say(line);
  }
}
