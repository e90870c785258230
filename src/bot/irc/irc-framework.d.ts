/**
 * The part of irc-framework (untyped CommonJS) that changebot uses. The typed
 * surface the rest of the bot sees is src/bot/irc/client.ts.
 */
declare module "irc-framework" {
  import type { EventEmitter } from "node:events";

  export interface FrameworkOptions {
    host: string;
    port: number;
    tls?: boolean;
    rejectUnauthorized?: boolean;
    nick: string;
    username?: string;
    gecos?: string;
    password?: string;
    account?: { account: string; password: string };
    sasl_mechanism?: string;
    sasl_disconnect_on_fail?: boolean;
    client_certificate?: { private_key: string; certificate: string };
    auto_reconnect?: boolean;
    message_max_length?: number;
    ping_interval?: number;
    ping_timeout?: number;
    version?: string | null;
  }

  export interface NetworkInfo {
    options: Record<string, unknown>;
    supports(name: string): unknown;
    cap: { isEnabled(name: string): boolean; enabled: string[] };
  }

  export class Client extends EventEmitter {
    constructor(options?: Partial<FrameworkOptions>);
    user: { nick: string; username: string; host?: string };
    network: NetworkInfo;
    connection: {
      connected: boolean;
      transport?: {
        socket?: { setNoDelay?(on: boolean): void; cork?(): void; uncork?(): void; writableCorked?: number };
      };
    };
    connect(options?: FrameworkOptions): void;
    requestCap(cap: string | string[]): void;
    raw(...args: (string | number)[]): void;
    quit(message?: string): void;
    changeNick(nick: string): void;
    join(channel: string, key?: string): void;
    say(target: string, message: string): void;
    setTopic(channel: string, topic: string): void;
    who(target: string, cb?: (event: unknown) => void): void;
    whois(target: string, cb: (event: { nick: string; account?: string; error?: string }) => void): void;
    caseLower(s: string): string;
    caseCompare(a: string, b: string): boolean;
  }
}
