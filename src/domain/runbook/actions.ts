import { announcedSummary } from "../../announce/announcer.js";
import type { Step, StepOf, UndoAction } from "../../config/runbook.js";
import { formatDuration } from "../../core/duration.js";
import type { Outcome } from "../../core/result.js";
import type { ExecContext, ExecRequest, StepResult } from "../../exec/executor.js";
import type { Services } from "../services.js";
import { configuredChannels, setManagedSegment } from "../topic-publish.js";
import type { RunState } from "./state.js";

/**
 * What the automated step kinds do once their job runs: commands through the
 * executor (services.exec: ssh for a host, local otherwise), HTTP or command
 * checks retried until their deadline, topic segments and announcements.
 */

/** Runs a command through services.exec: SSH for a `hosts:` entry, the bot's own host otherwise. */
export async function runCommand(
  s: Services,
  io: ExecContext,
  cmd: { host?: string; user?: string; argv: string[] },
  timeoutMs?: number,
): Promise<StepResult> {
  const req: ExecRequest = { host: cmd.host, argv: cmd.argv, timeoutMs };
  if (cmd.user) req.user = cmd.user;
  return s.exec.execute(req, io);
}

const fromExec = (r: StepResult): Outcome => ({
  ok: r.ok,
  summary: r.summary,
  output: r.output,
  exit: r.exit,
});

async function httpOnce(url: string, status: number, body: string | undefined, signal: AbortSignal) {
  try {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) });
    const text = await res.text();
    if (res.status !== status) return { ok: false, line: `GET ${url} → ${res.status}, expected ${status}` };
    if (body !== undefined && !text.includes(body))
      return { ok: false, line: `GET ${url} → ${res.status}, but the body lacks "${body}"` };
    return { ok: true, line: `GET ${url} → ${res.status}${body ? `, body has "${body}"` : ""}` };
  } catch (e) {
    return { ok: false, line: `GET ${url} failed: ${(e as Error).message}` };
  }
}

/** Tries a check until it passes or its deadline (on the bot's clock) has passed. */
async function check(s: Services, io: ExecContext, step: StepOf<"check">): Promise<Outcome> {
  const { clock } = s;
  const signal = io.signal ?? new AbortController().signal;
  const start = clock.now();
  let attempts = 0;
  let last = "";
  for (;;) {
    attempts++;
    if (step.http) {
      const r = await httpOnce(step.http.url, step.http.status, step.http.body, signal);
      last = r.line;
      await io.log(`${last}\n`);
      if (r.ok) return { ok: true, summary: `${last} (attempt ${attempts})` };
    } else {
      const r = await runCommand(s, io, { host: step.host, user: step.user, argv: step.argv! }, step.timeout);
      last = r.summary;
      if (r.ok)
        return { ok: true, summary: `check passed: ${r.summary} (attempt ${attempts})`, output: r.output };
    }
    if (clock.now() - start >= step.deadline || signal.aborted)
      return {
        ok: false,
        summary: `check did not pass within ${formatDuration(step.deadline)} (${attempts} attempts); last: ${last}`,
      };
    await new Promise((r) => setTimeout(r, Math.min(step.interval, 60_000)).unref());
  }
}

/** Runs an action of a kind that does its work in the job itself. */
export async function perform(
  s: Services,
  io: ExecContext,
  step: Step | UndoAction,
  run: Pick<RunState, "runbook" | "network" | "channel">,
  /** Unique per run, step and direction: an announcement made twice is delivered once. */
  ref: string,
): Promise<Outcome> {
  switch (step.kind) {
    case "ssh":
    case "local":
      return fromExec(
        await runCommand(
          s,
          io,
          {
            host: step.kind === "ssh" ? step.host : undefined,
            user: step.kind === "ssh" ? step.user : undefined,
            argv: step.argv,
          },
          step.timeout,
        ),
      );
    case "check":
      return check(s, io, step);
    case "topic": {
      const channels = step.channels ?? configuredChannels(s);
      await setManagedSegment(s, `runbook:${run.runbook}`, step.clear ? undefined : step.segment, channels);
      return {
        ok: true,
        summary: step.clear ? "topic segment removed" : `topic segment "${step.segment}" set`,
      };
    }
    case "announce": {
      const said = await s.announcer.announce(step.text, {
        targets: step.targets,
        here: [`${run.network}:${run.channel}`],
        id: ref.replace(/[^A-Za-z0-9._-]/g, "_"),
        meta: { kind: "runbook", runbook: run.runbook },
      });
      return { ok: said.targets.length > 0, summary: announcedSummary(said) };
    }
    default:
      throw new Error(`perform() cannot do a ${step.kind} step`);
  }
}
