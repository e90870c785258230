import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { spawnTracked } from "./processes.js";

export const ROOT = resolve(import.meta.dirname, "../..");

/** Writes a config file for a child bot; returns its path. */
export function writeConfig(
  config: Record<string, unknown>,
  dir = mkdtempSync(join(tmpdir(), "changebot-cfg-")),
): string {
  const file = join(dir, "changebot.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

export interface ChildBot {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Type a line into the console (scripting mode: stdin is a pipe kept open). */
  write(line: string): void;
  /** Resolves with the first stdout line matching, waiting up to timeoutMs. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill9(): Promise<void>;
  /** End input: the bot finishes its work and exits by itself. */
  end(): void;
}

/** The bot as a real process: `node --import tsx src/main.ts …`, as ./changebot runs it. */
export function spawnBot(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  /** What node runs before `args`: by default the TypeScript source through tsx. */
  program: readonly string[] = ["--import", "tsx", "src/main.ts"],
): ChildBot {
  const proc = spawnTracked(process.execPath, [...program, ...args], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: "", CHANGEBOT_CONFIG: "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  });
  proc.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    proc.on("exit", (code, signal) => res({ code, signal })),
  );
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    write: (line) => proc.stdin!.write(`${line}\n`),
    end: () => proc.stdin!.end(),
    exited: () => exit,
    kill9: async () => {
      proc.kill("SIGKILL");
      await exit;
    },
    waitForLine: (re, timeoutMs = 20_000) =>
      new Promise((res, rej) => {
        const check = () => {
          const line = out.split("\n").find((l) => re.test(l));
          if (line === undefined) return false;
          listeners.delete(check);
          clearTimeout(timer);
          res(line);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          rej(new Error(`no line matching ${re} within ${timeoutMs} ms.\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        if (!check()) listeners.add(check);
      }),
  };
}
