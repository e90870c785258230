import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * The real bot as a child process (`node --import tsx src/main.ts --config F`)
 * with the console network on its stdin/stdout, so a test can type commands,
 * read what it says, and kill -9 it like a crash would.
 */
export function writeConfig(config: Record<string, unknown>): { path: string; dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "changebot-bot-"));
  const path = join(dir, "config.yaml");
  writeFileSync(path, JSON.stringify({ dataDir: join(dir, "data"), ...config }, null, 2));
  return { path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function spawnBot(configPath: string, extraArgs: string[] = []) {
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  const proc: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "src/main.ts", "--config", configPath, ...extraArgs],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  let partial = "";
  let stderr = "";
  proc.stdout?.on("data", (d: Buffer) => {
    const parts = (partial + d.toString()).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  return {
    proc,
    lines,
    stderr: () => stderr,
    say(text: string) {
      proc.stdin?.write(`${text}\n`);
    },
    async waitForLine(re: RegExp, timeoutMs = 20_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find((l) => re.test(l));
        if (hit) return hit;
        if (proc.exitCode !== null) throw new Error(`bot exited (${proc.exitCode}) before ${re}:\n${stderr}`);
        if (Date.now() > deadline)
          throw new Error(
            `no line matching ${re} within ${timeoutMs} ms; got:\n${lines.join("\n")}\n${stderr}`,
          );
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    /** kill -9: no shutdown code runs, Redis is left as a crash leaves it. */
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}
