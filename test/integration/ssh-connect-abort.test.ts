import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/core/clock.js";
import { fingerprint } from "../../src/exec/hostkey.js";
import { SshExecutor } from "../../src/exec/ssh.js";
import { eventually } from "../harness/eventually.js";
import { capturingLogger } from "../harness/log.js";
import { requireBinary } from "../harness/servers.js";

/**
 * A host that accepts the TCP connection and then says nothing, so an SSH
 * handshake with it hangs until its timeout (here an hour, longer than any
 * test may take): a step connecting there must still give up at once when the
 * bot shuts down, so the step ending at all, saying why, shows it did.
 */
describe("a remote step still connecting when the bot shuts down", () => {
  let server: Server;
  let port: number;
  let dir: string;
  let key: string;
  let hostKey: string;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    const kg = requireBinary("ssh-keygen", "openssh-client");
    dir = mkdtempSync(join(tmpdir(), "changebot-silent-"));
    key = join(dir, "id_ed25519");
    execFileSync(kg, ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    hostKey = fingerprint(Buffer.from(readFileSync(`${key}.pub`, "utf8").split(" ")[1]!, "base64"));
    server = createServer((s) => {
      sockets.add(s);
      s.resume(); // read (and ignore) what the client sends, so its end is seen
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const executor = () =>
    new SshExecutor({
      hosts: parseConfig({ hosts: { silent: { host: "127.0.0.1", port, user: "ops", key, hostKey } } }).hosts,
      log: capturingLogger().log,
      clock: systemClock,
      readyTimeoutMs: 3_600_000,
    });
  const connected = async () => {
    await eventually(() => sockets.size > 0, "the connection to the silent server");
    expect(sockets.size).toBe(1);
  };
  const closed = async () => {
    await eventually(() => sockets.size === 0, "the connection to close");
    expect(sockets.size).toBe(0);
  };

  it("gives up at once when the job's shutdown signal fires, saying nothing was started", async () => {
    const exec = executor();
    const stop = new AbortController();
    const logged: string[] = [];
    const step = exec.execute(
      { host: "silent", argv: ["lpndt", "service-stop", "cron-fdt"] },
      { jobId: 7, log: async (t) => void logged.push(t), signal: stop.signal },
    );
    await connected();
    stop.abort();
    const r = await step;
    expect(r.ok).toBe(false);
    expect(r.summary).toBe("the bot is shutting down; nothing was started on silent");
    expect(logged.join("")).toContain("[the bot is shutting down; nothing was started on silent]");
    // Closing the executor (the next part of shutdown) ends the handshake too, without waiting for it.
    await exec.close();
    await closed();
  });

  it("ends a handshake in progress when the executor closes, and the step says why", async () => {
    const exec = executor();
    const step = exec.execute(
      { host: "silent", argv: ["lpndt", "service-start", "cron-fdt"] },
      { jobId: 8, log: async () => {} },
    );
    await connected();
    await exec.close();
    const r = await step;
    expect(r.ok).toBe(false);
    expect(r.summary).toBe("stopped connecting to silent: shutting down");
    await closed();
  });
});
