/**
 * 100 sequential remote steps through the SSH executor (one reused connection),
 * beside the fair peer for a reused connection: the OpenSSH client with
 * connection sharing (ControlMaster=auto, a ControlPath in a temp folder,
 * ControlPersist=60), on the same local sshd in the same run. The first
 * connection is excluded from both: one warm-up step each opens it.
 * Also shown: OpenSSH with a connection per run (no sharing).
 *
 *   npx tsx bench/ssh-steps.ts [--steps 100]
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { parseConfig } from "../src/config/load.js";
import { systemClock } from "../src/core/clock.js";
import { silentLogger } from "../src/core/log.js";
import type { ExecContext } from "../src/exec/executor.js";
import { SshExecutor } from "../src/exec/ssh.js";
import { requireBinary } from "../test/harness/servers.js";
import { startSshd } from "../test/harness/sshd.js";
import { type Figure, isMain, printFigures } from "./stats.js";

const run = promisify(execFile);
const ARGV = ["echo", "step"];

export interface SshSteps {
  steps: number;
  executorMs: number;
  sharedMs: number;
  perRunMs: number;
}

export async function sshSteps(N: number, perRunSteps = Math.min(N, 20)): Promise<SshSteps> {
  const sshd = await startSshd();
  const ssh = requireBinary("ssh", "openssh-client");
  const ctl = mkdtempSync(join(tmpdir(), "changebot-ctl-"));
  const ctx: ExecContext = { jobId: 0, log: async () => {} };
  const base = [
    "-i",
    sshd.clientKey,
    "-p",
    String(sshd.port),
    "-o",
    `UserKnownHostsFile=${sshd.knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
  ];
  const shared = [
    ...base,
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${join(ctl, "%C")}`,
    "-o",
    "ControlPersist=60",
  ];
  const dest = `${sshd.user}@127.0.0.1`;
  // Asynchronously: the harness must keep reading sshd's log while the client runs.
  const client = async (args: string[]) => {
    const r = await run(ssh, [...args, dest, ...ARGV], { encoding: "utf8" });
    if (r.stdout !== "step\n") throw new Error(`ssh printed ${JSON.stringify(r.stdout)}: ${r.stderr}`);
  };
  try {
    const ex = new SshExecutor({
      hosts: parseConfig({ hosts: { box: sshd.hostEntry() } }).hosts,
      log: silentLogger(),
      clock: systemClock,
      env: {},
    });
    const step = async () => {
      const r = await ex.execute({ host: "box", argv: ARGV }, ctx);
      if (!r.ok || r.output !== "step\n") throw new Error(`executor step failed: ${r.summary}`);
    };
    await step(); // opens the connection
    let t = performance.now();
    for (let i = 0; i < N; i++) await step();
    const executorMs = performance.now() - t;
    await ex.close();

    await client(shared); // opens the master connection
    t = performance.now();
    for (let i = 0; i < N; i++) await client(shared);
    const sharedMs = performance.now() - t;
    await run(ssh, [...shared, "-O", "exit", dest]).catch(() => {});

    t = performance.now();
    for (let i = 0; i < perRunSteps; i++) await client([...base, "-o", "ControlMaster=no"]);
    const perRunMs = ((performance.now() - t) / perRunSteps) * N;
    return { steps: N, executorMs, sharedMs, perRunMs };
  } finally {
    await run(ssh, [...shared, "-O", "exit", dest]).catch(() => {});
    await sshd.stop();
    rmSync(ctl, { recursive: true, force: true });
  }
}

export function sshFigures(r: SshSteps): Figure[] {
  return [
    {
      figure: `${r.steps} SSH steps, executor (connection reused)`,
      value: r.executorMs / r.steps,
      unit: "ms/step",
      floor: r.sharedMs / r.steps,
      floorLabel: "(OpenSSH ControlMaster=auto)",
      goal: { maxRatio: 1 },
    },
  ];
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { steps: { type: "string", default: "100" } } });
  const r = await sshSteps(Number(values.steps));
  const row = (label: string, ms: number) =>
    `${label.padEnd(48)} ${ms.toFixed(0).padStart(7)} ms total ${(ms / r.steps).toFixed(1).padStart(7)} ms/step`;
  console.log(
    `${r.steps} sequential steps of \`${ARGV.join(" ")}\` on a local sshd, first connection excluded`,
  );
  console.log(row("changebot SshExecutor (one reused connection)", r.executorMs));
  console.log(row("OpenSSH, shared connection (ControlMaster=auto)", r.sharedMs));
  console.log(row("OpenSSH, a connection per run (extrapolated)", r.perRunMs));
  printFigures("goal", sshFigures(r));
  process.exit(0);
}
