import { readFileSync } from "node:fs";
import type { Duplex } from "node:stream";
import type { Client, ConnectConfig } from "ssh2";
import type { HostSpec } from "../config/schema.js";
import { checkHostKey, type HostKeyVerdict } from "./hostkey.js";

/** Why a connection could not be made; `hostkey` is a security alarm, the others are faults. */
export type SshFailure = "hostkey" | "auth" | "connect" | "config";

export class SshError extends Error {
  override name = "SshError";
  constructor(
    readonly kind: SshFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ConnectOptions {
  /** Entry name in `hosts:`. */
  name: string;
  spec: HostSpec;
  user: string;
  env: NodeJS.ProcessEnv;
  /** A tunnel through a jump host, instead of a TCP connection. */
  sock?: Duplex;
  readyTimeoutMs?: number;
  /** Gives up the handshake (the executor is closing). */
  signal?: AbortSignal;
}

/** Key file (with its passphrase from the environment) or ssh-agent; never both guessed. */
function authConfig(o: ConnectOptions): Pick<ConnectConfig, "privateKey" | "passphrase" | "agent"> {
  const { spec, name, env } = o;
  if (spec.key) {
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(spec.key);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new SshError(
        "config",
        `cannot read hosts.${name}.key ${spec.key}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`,
      );
    }
    let passphrase: string | undefined;
    if (spec.passphraseEnv) {
      passphrase = env[spec.passphraseEnv];
      if (passphrase === undefined)
        throw new SshError(
          "config",
          `hosts.${name}.passphraseEnv names ${spec.passphraseEnv}, which is not set in the bot's environment`,
        );
    }
    return { privateKey, passphrase };
  }
  if (env.SSH_AUTH_SOCK) return { agent: env.SSH_AUTH_SOCK };
  throw new SshError(
    "config",
    `hosts.${name} has no key and SSH_AUTH_SOCK is not set: give hosts.${name}.key or run the bot with an ssh-agent`,
  );
}

function describe(o: ConnectOptions, e: Error & { level?: string; code?: string }): SshError {
  const where = `${o.name} (${o.spec.host}:${o.spec.port})`;
  if (e.level === "client-authentication")
    return new SshError(
      "auth",
      `authentication as ${o.user} on ${where} failed: the server accepted none of our keys (${o.spec.key ? `key ${o.spec.key}` : "ssh-agent"})`,
    );
  if (e.code === "ECONNREFUSED") return new SshError("connect", `cannot reach ${where}: connection refused`);
  if (e.code === "ENOTFOUND" || e.level === "client-dns")
    return new SshError("connect", `cannot resolve ${o.spec.host} (hosts.${o.name}.host)`);
  if (e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH" || e.code === "ETIMEDOUT")
    return new SshError("connect", `cannot reach ${where}: ${e.code}`);
  if (e.level === "client-timeout")
    return new SshError(
      "connect",
      `no SSH handshake from ${where} within ${(o.readyTimeoutMs ?? 20_000) / 1000}s`,
    );
  if (/privateKey|passphrase/i.test(e.message))
    return new SshError(
      "config",
      `cannot use hosts.${o.name}.key ${o.spec.key}: ${e.message.replace(/^Cannot parse privateKey: /, "")}`,
    );
  return new SshError("connect", `SSH connection to ${where} failed: ${e.message}`);
}

/** One authenticated SSH connection, with the host key checked against the pin before anything is sent. */
export async function connect(o: ConnectOptions): Promise<Client> {
  // Loaded on the first connection: a bot without remote steps never pays for ssh2.
  const { Client } = await import("ssh2");
  return new Promise((resolve, reject) => {
    const client = new Client();
    let refused: HostKeyVerdict | undefined;
    let settled = false;
    const fail = (e: SshError) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener("abort", onAbort);
      client.end();
      reject(e);
    };
    const onAbort = () => fail(new SshError("connect", `stopped connecting to ${o.name}: shutting down`));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener("abort", onAbort, { once: true });
    client.once("ready", () => {
      settled = true;
      o.signal?.removeEventListener("abort", onAbort);
      // Small request/response messages: without this, Nagle and delayed ACKs add ~40 ms per step.
      client.setNoDelay(true);
      resolve(client);
    });
    client.on("error", (e: Error & { level?: string; code?: string }) => {
      if (refused && !refused.ok) return fail(new SshError("hostkey", refused.reason));
      fail(describe(o, e));
    });
    client.once("close", () =>
      fail(new SshError("connect", `${o.name} closed the connection during the handshake`)),
    );
    try {
      client.connect({
        host: o.spec.host,
        port: o.spec.port,
        sock: o.sock,
        username: o.user,
        ...authConfig(o),
        readyTimeout: o.readyTimeoutMs ?? 20_000,
        keepaliveInterval: o.spec.keepaliveMs,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const v = checkHostKey(
            {
              name: o.name,
              host: o.spec.host,
              port: o.spec.port,
              hostKey: o.spec.hostKey,
              knownHosts: o.spec.knownHosts,
            },
            key,
          );
          if (!v.ok) refused = v;
          return v.ok;
        },
      });
    } catch (e) {
      fail(e instanceof SshError ? e : describe(o, e as Error));
    }
  });
}
