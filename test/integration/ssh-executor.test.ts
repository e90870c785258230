import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import type { ExecContext } from "../../src/exec/executor.js";
import { SshExecutor } from "../../src/exec/ssh.js";
import { freePort } from "../../src/infra/redis.js";
import { eventually } from "../harness/eventually.js";
import { endGroup, spawnTracked } from "../harness/processes.js";
import { requireBinary } from "../harness/servers.js";
import { type Sshd, startSshd } from "../harness/sshd.js";

function collect(progress = false) {
  const log: string[] = [];
  const lines: string[] = [];
  const ctx: ExecContext = {
    jobId: 1,
    log: async (t) => {
      log.push(t);
    },
    progress: progress
      ? async (l) => {
          lines.push(l);
        }
      : undefined,
  };
  return { ctx, log, lines, text: () => log.join("") };
}

describe("the SSH executor against a real sshd", () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const executor = (
    hosts: Record<string, unknown>,
    extra: Partial<ConstructorParameters<typeof SshExecutor>[0]> = {},
  ) =>
    new SshExecutor({
      hosts: parseConfig({ hosts }).hosts,
      log: silentLogger(),
      clock: new ManualClock(0),
      env: {},
      ...extra,
    });

  it("runs an argv exactly, reports exit status and output, and streams output into the log", async () => {
    sshd.clearCalls();
    sshd.behave("lpndt", { output: ["stopping cron-fdt", "stopped"], stderr: ["a warning"], exit: 0 });
    const ex = executor({ box: sshd.hostEntry() });
    try {
      const c = collect();
      const weird = ["it's", "$(touch /tmp/x)", "`id`", "a;b", "two\nlines", "*", ""];
      const r = await ex.execute({ host: "box", argv: ["lpndt", "service-stop", ...weird] }, c.ctx);
      expect(r.ok).toBe(true);
      expect(r.exit).toBe(0);
      expect(r.summary).toMatch(/^exit 0 in /);
      expect(r.output).toContain("stopping cron-fdt");
      expect(c.text()).toContain("stopped");
      expect(c.text()).toContain("a warning");
      // The record has one line per call; the newline inside an argument splits it in two.
      expect(sshd.calls()).toEqual([
        "lpndt [service-stop] [it's] [$(touch /tmp/x)] [`id`] [a;b] [two",
        "lines] [*] []",
      ]);
    } finally {
      await ex.close();
    }
  });

  it("reports a failing command's exit status", async () => {
    sshd.behave("flaky", { output: ["cannot stop: busy"], exit: 3 });
    const ex = executor({ box: sshd.hostEntry() });
    try {
      const r = await ex.execute({ host: "box", argv: ["flaky"] }, collect().ctx);
      expect(r).toMatchObject({ ok: false, exit: 3 });
      expect(r.summary).toMatch(/^exit 3 in /);
      expect(r.output).toContain("cannot stop: busy");
    } finally {
      await ex.close();
    }
  });

  it("closes a command's stdin: one that reads it gets EOF and ends instead of waiting for its timeout", async () => {
    const ex = executor({ box: sshd.hostEntry() });
    try {
      // A hang would end only at the 60 s step timeout, as a failure that says so.
      for (const argv of [["cat"], ["head", "-c1"]]) {
        const r = await ex.execute({ host: "box", argv, timeoutMs: 60_000 }, collect().ctx);
        expect(r.summary).toMatch(/^exit 0 in /);
        expect(r).toMatchObject({ ok: true, exit: 0 });
        expect(r.output).toBe("");
      }
    } finally {
      await ex.close();
    }
  }, 150_000);

  it("reuses one connection for many steps", async () => {
    const ex = executor({ box: sshd.hostEntry() });
    try {
      const before = (sshd.output().match(/Accepted publickey/g) ?? []).length;
      for (let i = 0; i < 5; i++)
        expect((await ex.execute({ host: "box", argv: ["true"] }, collect().ctx)).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      const after = (sshd.output().match(/Accepted publickey/g) ?? []).length;
      expect(after - before).toBe(1);
    } finally {
      await ex.close();
    }
  });

  it("refuses a host whose key does not match the pin, an unknown host, and an unlisted known_hosts entry", async () => {
    sshd.clearCalls();
    const ex = executor({
      wrong: sshd.hostEntry({ hostKey: sshd.otherHostKey }),
      unpinned: sshd.hostEntry({ hostKey: undefined }),
      listed: sshd.hostEntry({ hostKey: undefined, knownHosts: sshd.knownHosts }),
    });
    try {
      const c = collect();
      const r = await ex.execute({ host: "wrong", argv: ["lpndt", "x"] }, c.ctx);
      expect(r.ok).toBe(false);
      expect(r.summary).toContain(
        `is ${sshd.hostKey}, but hosts.wrong.hostKey pins ${sshd.otherHostKey}: REFUSED`,
      );
      expect(c.text()).toContain("REFUSED");
      const u = await ex.execute({ host: "unpinned", argv: ["lpndt", "x"] }, collect().ctx);
      expect(u.summary).toContain("no pinned host key for unpinned");
      expect(u.summary).toContain(sshd.hostKey);
      const k = await ex.execute({ host: "listed", argv: ["true"] }, collect().ctx);
      expect(k.ok).toBe(true);
      expect(sshd.calls()).toEqual([]);
    } finally {
      await ex.close();
    }
  });

  it("says clearly when the host is unreachable or the key is wrong", async () => {
    const closed = await freePort();
    const ex = executor(
      {
        down: sshd.hostEntry({ port: closed }),
        badkey: sshd.hostEntry({ key: sshd.otherKey }),
        nokey: sshd.hostEntry({ key: "/nonexistent/key" }),
        locked: sshd.hostEntry({ key: sshd.lockedKey, passphraseEnv: "TEST_KEY_PASS" }),
      },
      { env: { TEST_KEY_PASS: sshd.lockedPassphrase } },
    );
    try {
      const d = await ex.execute({ host: "down", argv: ["true"] }, collect().ctx);
      expect(d.summary).toBe(`cannot reach down (127.0.0.1:${closed}): connection refused`);
      const b = await ex.execute({ host: "badkey", argv: ["true"] }, collect().ctx);
      expect(b.summary).toContain(`authentication as ${sshd.user} on badkey`);
      expect(b.summary).toContain("failed");
      const n = await ex.execute({ host: "nokey", argv: ["true"] }, collect().ctx);
      expect(n.summary).toContain("cannot read hosts.nokey.key /nonexistent/key: no such file");
      const l = await ex.execute({ host: "locked", argv: ["true"] }, collect().ctx);
      expect(l.ok).toBe(true);
      const noPass = executor({
        locked: sshd.hostEntry({ key: sshd.lockedKey, passphraseEnv: "TEST_KEY_PASS" }),
      });
      const np = await noPass.execute({ host: "locked", argv: ["true"] }, collect().ctx);
      expect(np.summary).toContain("TEST_KEY_PASS, which is not set");
      expect(np.summary).not.toContain(sshd.lockedPassphrase);
      const wrongPass = await executor(
        { locked: sshd.hostEntry({ key: sshd.lockedKey, passphraseEnv: "TEST_KEY_PASS" }) },
        { env: { TEST_KEY_PASS: "not the passphrase" } },
      ).execute({ host: "locked", argv: ["true"] }, collect().ctx);
      expect(wrongPass.summary).toMatch(/^cannot use hosts.locked.key .*locked_ed25519: /);
      expect(wrongPass.summary).not.toContain("not the passphrase");
    } finally {
      await ex.close();
    }
  });

  it("authenticates with the keys of an ssh-agent when the host has no key file", async () => {
    const sock = join(sshd.dir, "agent.sock");
    const agent = spawnTracked(requireBinary("ssh-agent", "openssh-client"), ["-D", "-a", sock], {
      stdio: "ignore",
    });
    try {
      await eventually(() => existsSync(sock), "the agent's socket");
      execFileSync(requireBinary("ssh-add", "openssh-client"), ["-q", sshd.clientKey], {
        env: { SSH_AUTH_SOCK: sock },
        stdio: "ignore",
      });
      const ex = executor({ box: sshd.hostEntry({ key: undefined }) }, { env: { SSH_AUTH_SOCK: sock } });
      try {
        const r = await ex.execute({ host: "box", argv: ["echo", "agent ok"] }, collect().ctx);
        expect(r).toMatchObject({ ok: true, output: "agent ok\n" });
      } finally {
        await ex.close();
      }
      const none = await executor({ box: sshd.hostEntry({ key: undefined }) }).execute(
        { host: "box", argv: ["true"] },
        collect().ctx,
      );
      expect(none.summary).toContain("hosts.box has no key and SSH_AUTH_SOCK is not set");
    } finally {
      await endGroup(agent);
    }
  });

  it("ends a step that outruns its timeout, and keeps working afterwards", async () => {
    // Held until a file that is never made: only the timeout can end it (and,
    // printing while it holds, it dies of SIGPIPE once its session is closed).
    sshd.behave("pqm-rc", { output: ["starting"], holdUntil: join(sshd.dir, "never"), holdOutput: "." });
    const ex = executor({ box: sshd.hostEntry() }, { killGraceMs: 300 });
    try {
      const c = collect();
      const r = await ex.execute({ host: "box", argv: ["pqm-rc"], timeoutMs: 800 }, c.ctx);
      expect(r.ok).toBe(false);
      expect(r.timedOut).toBe(true);
      expect(r.summary).toMatch(/^timed out after 800ms on box; sent TERM/);
      expect(c.text()).toContain("timed out");
      expect((await ex.execute({ host: "box", argv: ["true"] }, collect().ctx)).ok).toBe(true);
    } finally {
      await ex.close();
    }
  });

  it("goes through a jump host", async () => {
    const ex = executor({
      bastion: sshd.hostEntry(),
      inner: sshd.hostEntry({ jump: "bastion" }),
    });
    try {
      const r = await ex.execute({ host: "inner", argv: ["echo", "via jump"] }, collect().ctx);
      expect(r.ok).toBe(true);
      expect(r.output).toBe("via jump\n");
    } finally {
      await ex.close();
    }
  });

  it("posts a progress line for a long step at most every 30 s of the clock", async () => {
    const release = join(sshd.dir, "release-progress");
    sshd.behave("pqm-rc", { output: ["phase 1"], holdUntil: release });
    const clock = new ManualClock(0);
    const ex = executor({ box: sshd.hostEntry() }, { clock, tickMs: 20 });
    try {
      const c = collect(true);
      const p = ex.execute({ host: "box", argv: ["pqm-rc"] }, c.ctx);
      await eventually(() => c.text().includes("phase 1"), "the step's first output");
      clock.advance(29_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(c.lines).toEqual([]);
      clock.advance(2_000);
      await eventually(() => c.lines.length > 0, "a progress line");
      expect(c.lines).toEqual(["still running on box (31s): phase 1"]);
      await new Promise((r) => setTimeout(r, 100));
      expect(c.lines.length).toBe(1);
      writeFileSync(release, "");
      expect((await p).ok).toBe(true);
    } finally {
      await ex.close();
    }
  });
});
