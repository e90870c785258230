import { builtinSchema, type StepOf } from "../../../config/runbook.js";
import { formatDuration } from "../../../core/duration.js";
import type { Outcome } from "../../../core/result.js";
import { runCommand } from "../actions.js";
import { rehearsalNote } from "../rehearsal.js";
import type { PerformContext, StepKind } from "./types.js";

/** An HTTP GET or a command, tried until it passes or its deadline (on the bot's clock) has passed. */
export const checkKind: StepKind<StepOf<"check">> = {
  name: "check",
  schema: builtinSchema("check"),
  describe: (s) =>
    s.http
      ? `check GET ${s.http.url} → ${s.http.status}${s.http.body ? ` containing "${s.http.body}"` : ""}`
      : `check${s.host ? ` on ${s.host}` : ""}: ${s.argv!.join(" ")} exits 0`,
  idempotent: true,
  begin: "job",
  perform: check,
  // A rehearsal's check passes at once: its command is shown (not run), its HTTP request not made.
  async rehearse(ctx, step) {
    if (!step.http) return check(ctx, step);
    const what = `would GET ${step.http.url}, expecting ${step.http.status}${step.http.body ? ` and "${step.http.body}" in the body` : ""}`;
    await rehearsalNote(ctx, what);
    return { ok: true, summary: `${what} (not requested; a rehearsal counts a check as passed)` };
  },
};

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

async function check(ctx: PerformContext, step: StepOf<"check">): Promise<Outcome> {
  const { services: s, io } = ctx;
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
