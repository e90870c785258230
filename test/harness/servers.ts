import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary, freePort, redisServerArgs } from "../../src/infra/redis.js";
import { endGroup, spawnTracked } from "./processes.js";

/**
 * Real servers for integration tests, each on a free loopback port in a temp
 * folder. A missing server fails the test naming the Debian package; it never skips.
 */
export function requireBinary(name: string, debianPackage: string): string {
  const bin = findBinary(name);
  if (!bin)
    throw new Error(
      `${name} is not installed: install Debian's package ${debianPackage} (apt-get install ${debianPackage})`,
    );
  return bin;
}

export interface RunningServer {
  port: number;
  dir: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  /** kill -9, for crash tests. */
  kill(): Promise<void>;
}

export async function waitForPort(port: number, timeoutMs = 10_000, host = "127.0.0.1"): Promise<void> {
  const { connect } = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, host);
      s.once("connect", () => {
        s.destroy();
        res(true);
      });
      s.once("error", () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Spawns a server in a process group of its own and waits for its port; stop()
 * ends the group (TERM, then KILL after 5 s) and removes its folder.
 */
export async function spawnServer(
  bin: string,
  args: (port: number, dir: string) => string[],
  opts: { port?: number; dir?: string; keepDir?: boolean } = {},
): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "changebot-srv-"));
  const out: string[] = [];
  const proc = spawnTracked(bin, args(port, dir), { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout?.on("data", (d: Buffer) => out.push(d.toString()));
  proc.stderr?.on("data", (d: Buffer) => out.push(d.toString()));
  try {
    await waitForPort(port);
  } catch (e) {
    await endGroup(proc, 0, "SIGKILL");
    throw new Error(`${bin} did not start: ${(e as Error).message}\n${out.join("")}`);
  }
  return {
    port,
    dir,
    proc,
    output: () => out.join(""),
    kill: () => endGroup(proc, 0, "SIGKILL"),
    stop: async () => {
      await endGroup(proc);
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's redis-server, no persistence unless asked. */
export async function startRedis(opts: { appendonly?: boolean; port?: number; dir?: string } = {}) {
  const bin = requireBinary("redis-server", "redis-server");
  const srv = await spawnServer(bin, (port, dir) => redisServerArgs(port, dir, !!opts.appendonly), {
    port: opts.port,
    dir: opts.dir,
    keepDir: !!opts.dir,
  });
  return { ...srv, url: `redis://127.0.0.1:${srv.port}` };
}
