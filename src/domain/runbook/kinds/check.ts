import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { formatDuration } from "../../../core/duration.js";
import type { Outcome } from "../../../core/result.js";
import { runCommand } from "../actions.js";
import { rehearsalNote } from "../rehearsal.js";
import { type LoopMark, loopCaughtUp } from "./check-loop.js";
import { budgetLine, keepOutput, outputProblem } from "./check-output.js";
import { failedUrls, referencedUrls } from "./check-page.js";
import type { PerformContext, StepKind } from "./types.js";

/**
 * An HTTP GET, a command, or a loop that must catch up, tried until it passes
 * or its deadline (on the bot's clock) has passed. A command passes when it
 * exits 0 and its output is what the step asks for (check-output.ts).
 */
export const checkKind: StepKind<StepOf<"check">> = {
  name: "check",
  schema: builtinSchema("check"),
  describe,
  idempotent: true,
  begin: "job",
  perform: check,
  // A rehearsal's check passes at once: its command is shown (not run), its HTTP request not made.
  // An output rule (expect, same, budget) is not applied to a command that was only shown, and a
  // loop check does not wait for a loop whose commands were only shown.
  async rehearse(ctx, step) {
    if (step.argv) {
      const r = await runCommand(
        ctx.services,
        ctx.io,
        { host: step.host, user: step.user, argv: step.argv },
        step.timeout,
      );
      return r.ok
        ? { ok: true, summary: `${describe(step)} (shown, not run; a rehearsal counts a check as passed)` }
        : r;
    }
    const what = `would ${describe(step)}`;
    await rehearsalNote(ctx, what);
    return {
      ok: true,
      summary: `${what} (not ${step.http ? "requested" : "waited for"}; a rehearsal counts a check as passed)`,
    };
  },
};

function describe(s: StepOf<"check">): string {
  if (s.http)
    return `check GET ${s.http.url} → ${s.http.status}${s.http.body ? ` containing "${s.http.body}"` : ""}${s.http.follow ? ` and its ${s.http.follow.join(" and ")}` : ""}`;
  if (s.loop) return `check loop "${s.loop}" caught up (an iteration begun after this check ended well)`;
  const also = [
    s.expect !== undefined ? `output matches /${s.expect}/` : "",
    s.same !== undefined ? `output as at step "${s.same}"` : "",
    s.budget !== undefined ? `2 × staging + 10m fits ${formatDuration(s.budget)}` : "",
  ].filter(Boolean);
  return `check${s.host ? ` on ${s.host}` : ""}: ${s.argv!.join(" ")} exits 0${also.length ? `, ${also.join(", ")}` : ""}`;
}

async function httpOnce(step: StepOf<"check">, signal: AbortSignal) {
  const { url, status, body, follow } = step.http!;
  try {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) });
    const text = await res.text();
    if (res.status !== status) return { ok: false, line: `GET ${url} → ${res.status}, expected ${status}` };
    if (body !== undefined && !text.includes(body))
      return { ok: false, line: `GET ${url} → ${res.status}, but the body lacks "${body}"` };
    const line = `GET ${url} → ${res.status}${body ? `, body has "${body}"` : ""}`;
    if (!follow?.length) return { ok: true, line };
    const urls = referencedUrls(text, res.url || url, follow);
    const bad = await failedUrls(urls, signal);
    if (bad.length)
      return {
        ok: false,
        line: `${line}, but ${bad.length} of its ${urls.length} references fail: ${bad.join("; ")}`,
      };
    return { ok: true, line: `${line}; its ${urls.length} ${follow.join(" and ")} answer` };
  } catch (e) {
    return { ok: false, line: `GET ${url} failed: ${(e as Error).message}` };
  }
}

async function commandOnce(ctx: PerformContext, step: StepOf<"check">) {
  const r = await runCommand(
    ctx.services,
    ctx.io,
    { host: step.host, user: step.user, argv: step.argv! },
    step.timeout,
  );
  if (!r.ok) return { ok: false, line: r.summary };
  const bad = await outputProblem(ctx, step, r.output);
  if (bad) {
    await ctx.io.log(`${bad}\n`);
    return { ok: false, line: `${r.summary}, but ${bad}` };
  }
  await keepOutput(ctx, step, r.output);
  const line = step.budget !== undefined ? `${r.summary}; ${budgetLine(step, r.output)}` : r.summary;
  return { ok: true, line, output: r.output };
}

async function check(ctx: PerformContext, step: StepOf<"check">): Promise<Outcome> {
  const { services: s, io } = ctx;
  const { clock } = s;
  const signal = io.signal ?? new AbortController().signal;
  const start = clock.now();
  let attempts = 0;
  let last = "";
  let mark: LoopMark | undefined;
  for (;;) {
    attempts++;
    if (step.http) {
      const r = await httpOnce(step, signal);
      last = r.line;
      await io.log(`${last}\n`);
      if (r.ok) return { ok: true, summary: `${last} (attempt ${attempts})` };
    } else if (step.loop) {
      const r = await loopCaughtUp(ctx, step.loop, mark);
      mark = r.mark;
      if (r.line !== last) await io.log(`${r.line}\n`);
      last = r.line;
      if (r.ok) return { ok: true, summary: `check passed: ${last}` };
    } else {
      const r = await commandOnce(ctx, step);
      last = r.line;
      if (r.ok) return { ok: true, summary: `check passed: ${last} (attempt ${attempts})`, output: r.output };
    }
    if (clock.now() - start >= step.deadline || signal.aborted)
      return {
        ok: false,
        summary: `check did not pass within ${formatDuration(step.deadline)} (${attempts} attempts); last: ${last}`,
      };
    await new Promise((r) => setTimeout(r, Math.min(step.interval, 60_000)).unref());
  }
}
