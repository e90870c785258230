import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { ManualClock, systemClock } from "../../../src/core/clock.js";
import { silentLogger } from "../../../src/core/log.js";
import type { ExecContext } from "../../../src/exec/executor.js";
import { LocalExecutor } from "../../../src/exec/local.js";
import { eventually } from "../../harness/eventually.js";

function ctx(progress?: string[]): { ctx: ExecContext; log: string[] } {
  const log: string[] = [];
  return {
    log,
    ctx: {
      jobId: 1,
      log: async (t) => {
        log.push(t);
      },
      progress: progress
        ? async (l) => {
            progress.push(l);
          }
        : undefined,
    },
  };
}

const local = (o: Partial<ConstructorParameters<typeof LocalExecutor>[0]> = {}) =>
  new LocalExecutor({ log: silentLogger(), clock: systemClock, ...o });

describe("the local executor", () => {
  it("runs the argv without a shell", async () => {
    const c = ctx();
    const r = await local().execute({ argv: ["/bin/echo", "$(id)", "a;b", "`x`"] }, c.ctx);
    expect(r).toMatchObject({ ok: true, exit: 0, output: "$(id) a;b `x`\n" });
    expect(c.log.join("")).toContain("$(id) a;b `x`");
  });

  it("reports a failing command's exit status and its stderr", async () => {
    const r = await local().execute({ argv: ["/bin/sh", "-c", "echo broken >&2; exit 3"] }, ctx().ctx);
    expect(r).toMatchObject({ ok: false, exit: 3 });
    expect(r.summary).toMatch(/^exit 3 in /);
    expect(r.output).toBe("broken\n");
  });

  it("says when the command does not exist", async () => {
    const r = await local().execute({ argv: ["/nonexistent/tool", "x"] }, ctx().ctx);
    expect(r.ok).toBe(false);
    expect(r.summary).toBe("cannot run /nonexistent/tool on this host: not found");
  });

  it("ends a command and its children when it outruns its timeout", async () => {
    const r = await local({ killGraceMs: 300 }).execute(
      { argv: ["/bin/sh", "-c", "sleep 30 & echo $!; sleep 30 & echo $!; wait"], timeoutMs: 300 },
      ctx().ctx,
    );
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.summary).toMatch(/^timed out after 300ms on this host; sent TERM/);
    const children = r.output.match(/^\d+$/gm)!.map(Number);
    expect(children).toHaveLength(2);
    expect(children.filter(running)).toEqual([]);
  });

  it("posts progress for a long step no more than every 30 s of the clock", async () => {
    const clock = new ManualClock(0);
    const lines: string[] = [];
    const c = ctx(lines);
    const p = local({ clock, tickMs: 10 }).execute(
      { argv: ["/bin/sh", "-c", "echo working; sleep 2"] },
      c.ctx,
    );
    await eventually(() => c.log.join("").includes("working"), "the command's first output");
    clock.advance(30_000);
    await eventually(() => lines.length > 0, "a progress line");
    clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 60));
    expect(lines).toEqual(["still running on this host (30s): working"]);
    await p;
  });

  it("runs the demo's lpndt stand-in from the example config, labelled as a demo", async () => {
    const { config } = loadConfig("examples/changebot.demo.yaml", {});
    expect(config.lpndt?.host).toBe("local");
    const script = config.lpndt!.command[0]!;
    expect(existsSync(script)).toBe(true);
    const r = await local({ env: { PATH: process.env.PATH, DEMO_LPNDT_DELAY: "0" } }).execute(
      { argv: [script, "service-stop", "cron-fdt"] },
      ctx().ctx,
    );
    expect(r.ok).toBe(true);
    expect(r.output).toContain("[demo lpndt, not the real tool] service-stop cron-fdt");
  });
});

/** Whether a process runs (a zombie waiting for its parent to reap it does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
