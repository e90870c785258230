import { spawn } from "node:child_process";
import type { ExecContext, ExecRequest, Executor, StepResult } from "../../src/jobs/executor.js";

/**
 * An Executor that runs the argv on this machine (spawn, no shell) with a
 * folder of fake commands first on PATH: the runbook engine's tests drive real
 * processes through the Executor contract. `host` is passed to the command as
 * CHANGEBOT_HOST, so a test can see where a step meant to run.
 */
export function argvExecutor(pathFirst: string): Executor {
  return {
    async execute(req: ExecRequest, ctx: ExecContext): Promise<StepResult> {
      const t0 = Date.now();
      return new Promise<StepResult>((resolve) => {
        const child = spawn(req.argv[0]!, req.argv.slice(1), {
          env: { ...process.env, PATH: `${pathFirst}:${process.env.PATH}`, CHANGEBOT_HOST: req.host ?? "" },
          stdio: ["ignore", "pipe", "pipe"],
          signal: ctx.signal,
          timeout: req.timeoutMs,
        });
        let out = "";
        const take = (d: Buffer) => {
          out += d.toString();
          void ctx.log(d.toString());
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        const finish = (exit: number | undefined, signal?: string, err?: string) => {
          const durationMs = Date.now() - t0;
          resolve({
            ok: exit === 0,
            exit,
            signal,
            durationMs,
            output: out,
            summary: err ?? (signal ? `killed by ${signal}` : `exit ${exit} in ${durationMs}ms`),
          });
        };
        child.on("error", (e) => finish(undefined, undefined, `could not run ${req.argv[0]}: ${e.message}`));
        child.on("close", (code, sig) => finish(code ?? undefined, sig ?? undefined));
      });
    },
  };
}
