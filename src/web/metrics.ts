import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { ANNOUNCE_QUEUE } from "../announce/delayed.js";
import { runbooksOf } from "../config/runbook-load.js";
import type { ChatAdapter } from "../core/messages.js";
import { parseCommand } from "../core/parse.js";
import { activeRuns, getRun } from "../domain/runbook/state.js";
import type { Services } from "../domain/services.js";
import type { JobEvent } from "../infra/events.js";
import { TERMINAL } from "../infra/job-store.js";
import { outboxQueueName, WEBHOOK_QUEUE, WORK_QUEUE } from "../infra/queues.js";
import type { LiveHub } from "./hub.js";

/**
 * /metrics, prefixed changebot_. Counters move with what this process sees:
 * commands it handled, job and runbook step outcomes it heard of (job events, run
 * states), queue depths and delays read from Redis at each scrape.
 */
const STEP_ENDS = new Set(["done", "failed", "skipped", "interrupted", "undone", "undo-failed"]);

export class WebMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<"family" | "outcome">;
  private readonly jobs: Histogram<"kind" | "state">;
  private readonly steps: Counter<"kind" | "outcome">;
  private readonly lateness: Histogram<string>;
  private readonly seenRuns = new Map<string, string[]>();
  private lastAnnounce = 0;

  constructor(
    private readonly s: Services,
    adapters: readonly ChatAdapter[],
    networks: readonly string[],
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "changebot_" });
    this.commands = new Counter({
      name: "changebot_commands_total",
      help: "Chat commands handled, by family and outcome",
      labelNames: ["family", "outcome"],
      registers,
    });
    this.jobs = new Histogram({
      name: "changebot_job_duration_seconds",
      help: "Duration of finished jobs, by kind and final state",
      labelNames: ["kind", "state"],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.steps = new Counter({
      name: "changebot_runbook_steps_total",
      help: "Runbook steps that ended, by step kind and outcome",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.lateness = new Histogram({
      name: "changebot_announcement_lateness_seconds",
      help: "How long after its due time an announcement was handled",
      buckets: [1, 5, 30, 120, 600, 3600],
      registers,
    });
    const queueNames = [WORK_QUEUE, ANNOUNCE_QUEUE, WEBHOOK_QUEUE, ...networks.map(outboxQueueName)];
    new Gauge({
      name: "changebot_queue_depth",
      help: "Jobs in each queue, by state",
      labelNames: ["queue", "state"],
      registers,
      collect: async function (this: Gauge<"queue" | "state">) {
        this.reset();
        for (const q of queueNames) {
          const c = await s.queues.get(q).getJobCounts("wait", "active", "delayed", "failed", "prioritized");
          for (const [state, n] of Object.entries(c)) this.set({ queue: q, state }, n);
        }
      },
    });
    new Gauge({
      name: "changebot_outbox_delay_seconds",
      help: "Age of the oldest message waiting in each network's outbox (0 when empty)",
      labelNames: ["network"],
      registers,
      collect: async function (this: Gauge<"network">) {
        for (const n of networks) {
          const [oldest] = await s.queues.get(outboxQueueName(n)).getJobs(["active", "wait"], 0, 0, true);
          this.set({ network: n }, oldest ? Math.max(0, (s.clock.now() - oldest.timestamp) / 1000) : 0);
        }
      },
    });
    new Counter({
      name: "changebot_slack_requests_refused_total",
      help: "Requests to the Slack HTTP endpoint refused before they ran, by network and reason (signature, stale, replay)",
      labelNames: ["network", "reason"],
      registers,
      collect: function (this: Counter<"network" | "reason">) {
        this.reset();
        for (const a of adapters)
          for (const [reason, n] of a.refusedRequests?.() ?? []) this.inc({ network: a.network, reason }, n);
      },
    });
    new Gauge({
      name: "changebot_network_connected",
      help: "1 while the chat network is connected, else 0",
      labelNames: ["network"],
      registers,
      collect: function (this: Gauge<"network">) {
        for (const a of adapters) this.set({ network: a.network }, a.isConnected() ? 1 : 0);
      },
    });
  }

  /** Called by the composition root with each handled chat line's outcome. */
  command(text: string, addressed: boolean | undefined, outcome: string): void {
    if (outcome === "ignored" || outcome === "duplicate") return;
    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(text, this.s.config.prefix, addressed);
    } catch {
      parsed = undefined; // unbalanced quotes: the router has answered it already
    }
    const family = parsed && /^[a-z][a-z0-9-]{0,30}$/.test(parsed.family) ? parsed.family : "other";
    this.commands.inc({ family: outcome === "unknown" ? "unknown" : family, outcome });
  }

  /** Hears job events (LiveHub) and run changes (its tick). */
  listen(hub: LiveHub): void {
    hub.on("job", (id: number, state: string, e?: JobEvent) => {
      if (!TERMINAL.includes(state as never)) return;
      // A job's end says its kind and run time; another state change (a cancel by hand) is read.
      if (e?.name !== undefined && e.seconds !== undefined) {
        this.jobs.observe({ kind: e.name, state }, e.seconds);
        return;
      }
      void this.s.jobs.get(id).then(
        (r) => {
          if (r?.startedAt && r.finishedAt)
            this.jobs.observe({ kind: r.name, state: r.state }, (r.finishedAt - r.startedAt) / 1000);
        },
        () => {},
      );
    });
    hub.on("tick", () => void this.watchRuns().catch(() => {}));
  }

  /** Counts steps that reached an end since the last look (first sight of a run only notes where it is). */
  private async watchRuns(): Promise<void> {
    const keys = new Set([...(await activeRuns(this.s)), ...this.seenRuns.keys()]);
    for (const key of keys) {
      const run = await getRun(this.s, key);
      const before = this.seenRuns.get(key);
      if (run?.status !== "active") this.seenRuns.delete(key);
      else
        this.seenRuns.set(
          key,
          run.steps.map((x) => x.status),
        );
      if (!run || !before) continue;
      const rb = runbooksOf(this.s.config).runbooks.get(run.runbook);
      run.steps.forEach((x, i) => {
        if (x.status !== before[i] && STEP_ENDS.has(x.status))
          this.steps.inc({ kind: rb?.steps[i]?.kind ?? "unknown", outcome: x.status });
      });
    }
  }

  async text(): Promise<string> {
    await this.announcements().catch(() => {});
    return this.registry.metrics();
  }

  /** Announcements handled since the last scrape: how late after their due time. */
  private async announcements(): Promise<void> {
    const done = await this.s.queues.get(ANNOUNCE_QUEUE).getJobs(["completed"], 0, 199);
    let newest = this.lastAnnounce;
    for (const j of done) {
      const at = j.processedOn ?? j.finishedOn ?? 0;
      if (at <= this.lastAnnounce) continue;
      newest = Math.max(newest, at);
      const due = (j.data as { due?: number }).due;
      if (typeof due === "number") this.lateness.observe(Math.max(0, (at - due) / 1000));
    }
    this.lastAnnounce = newest;
  }
}
