/**
 * 100 sequential remote steps through the SSH executor (one reused connection),
 * beside 100 runs of the OpenSSH `ssh` client doing the same command, measured
 * in the same run against the same local sshd.
 *
 *   npx tsx bench/ssh-steps.ts [steps]
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseConfig } from "../src/config/load.js";
import { systemClock } from "../src/core/clock.js";
import { silentLogger } from "../src/core/log.js";
import type { ExecContext } from "../src/exec/executor.js";
import { SshExecutor } from "../src/exec/ssh.js";
import { requireBinary } from "../test/harness/servers.js";
import { startSshd } from "../test/harness/sshd.js";

const run = promisify(execFile);
const N = Number(process.argv[2] ?? 100);
const ARGV = ["echo", "step"];

const sshd = await startSshd();
const ssh = requireBinary("ssh", "openssh-client");
const ctx: ExecContext = { jobId: 0, log: async () => {} };
try {
  const ex = new SshExecutor({
    hosts: parseConfig({ hosts: { box: sshd.hostEntry() } }).hosts,
    log: silentLogger(),
    clock: systemClock,
    env: {},
  });
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    const r = await ex.execute({ host: "box", argv: ARGV }, ctx);
    if (!r.ok || r.output !== "step\n") throw new Error(`executor step ${i} failed: ${r.summary}`);
  }
  const executorMs = performance.now() - t;
  await ex.close();

  const args = [
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
    "-o",
    "ControlMaster=no",
    `${sshd.user}@127.0.0.1`,
    ...ARGV,
  ];
  t = performance.now();
  for (let i = 0; i < N; i++) {
    // Asynchronously: the harness must keep reading sshd's log while the client runs.
    const r = await run(ssh, args, { encoding: "utf8" });
    if (r.stdout !== "step\n")
      throw new Error(`ssh run ${i} printed ${JSON.stringify(r.stdout)}: ${r.stderr}`);
  }
  const clientMs = performance.now() - t;

  const row = (label: string, ms: number) =>
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms total ${(ms / N).toFixed(1).padStart(7)} ms/step`;
  console.log(`${N} sequential steps of \`${ARGV.join(" ")}\` on a local sshd (127.0.0.1:${sshd.port})`);
  console.log(row("changebot SshExecutor (one reused connection)", executorMs));
  console.log(row("OpenSSH ssh client (a connection per run)", clientMs));
  console.log(`ratio ssh client / executor: ${(clientMs / executorMs).toFixed(2)}x`);
} finally {
  await sshd.stop();
}
