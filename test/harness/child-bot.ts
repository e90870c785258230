import type { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "./processes.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

/**
 * The real bot as a child process (`node --import tsx src/main.ts --config F`),
 * its console adapter in scripting mode fed through a pipe kept open, so it
 * runs until the test ends the input or kills it.
 */
export interface ChildBot {
  proc: ChildProcess;
  stdout(): string;
  /** Resolves with the output once it matches. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  send(line: string): void;
  /** kill -9: no shutdown, locks and running jobs left as they are. */
  kill9(): Promise<void>;
  /** End the input; resolves with the exit code. */
  end(): Promise<number | null>;
}

export function startChildBot(configPath: string, env: NodeJS.ProcessEnv = {}): ChildBot {
  const proc = spawnTracked(process.execPath, ["--import", "tsx", "src/main.ts", "--config", configPath], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return {
    proc,
    stdout: () => out,
    async waitForOutput(re, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(
            `the bot exited (${proc.exitCode ?? proc.signalCode}) before ${re}:\n${out}\n${err}`,
          );
        if (Date.now() > deadline)
          throw new Error(`no ${re} in the bot's output after ${timeoutMs} ms:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    },
    send(line) {
      proc.stdin?.write(`${line}\n`);
    },
    async kill9() {
      proc.kill("SIGKILL");
      await exited;
    },
    async end() {
      proc.stdin?.end();
      return exited;
    },
  };
}
