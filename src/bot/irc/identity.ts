import type { Identity } from "../../core/messages.js";
import type { IrcClient, PrivmsgEvent } from "./client.js";

/**
 * Who sent an IRC line, as the server vouches for it. A nick proves nothing
 * (anyone can take a free nick), so roles match the services account or the
 * full nick!user@host mask. The account comes from, in order of trust:
 *   1. the IRCv3 account-tag on the message itself (absent = not logged in);
 *   2. what the server told us about that connection: extended-join,
 *      account-notify and WHOX replies, followed across nick changes and
 *      forgotten when the user quits or leaves our channels.
 * Without either, the identity has no account and only mask rules can match.
 */
export class AccountBook {
  private readonly accounts = new Map<string, string | false>();

  constructor(private readonly client: IrcClient) {
    client.on("join", (e) => {
      if (e.account !== undefined) this.set(e.nick, e.account);
    });
    client.on("account", (e) => this.set(e.nick, e.account));
    client.on("wholist", (e) => {
      for (const u of e.users) if (u.account !== undefined) this.set(u.nick, u.account || false);
    });
    client.on("nick", (e) => {
      const k = this.key(e.nick);
      const had = this.accounts.get(k);
      this.accounts.delete(k);
      if (had !== undefined) this.accounts.set(this.key(e.new_nick), had);
    });
    client.on("quit", (e) => this.accounts.delete(this.key(e.nick)));
    client.on("part", (e) => this.accounts.delete(this.key(e.nick)));
    client.on("kick", (e) => this.accounts.delete(this.key(e.kicked)));
    client.on("socket close", () => this.accounts.clear());
  }

  private key(nick: string): string {
    return this.client.lower(nick);
  }

  private set(nick: string, account: string | false): void {
    this.accounts.set(this.key(nick), account);
  }

  /** The account the server last told us this nick's connection is logged in to. */
  accountOf(nick: string): string | undefined {
    return this.accounts.get(this.key(nick)) || undefined;
  }

  /** Whether this server has services accounts at all (it offered one of the account caps). */
  private serverHasAccounts(): boolean {
    return ["account-tag", "account-notify", "extended-join"].some((c) => this.client.capEnabled(c));
  }

  /**
   * Who sent this line. Synchronous when the answer is at hand (the account-tag,
   * or a nick we share a channel with): the command's answer then waits for no
   * promise; a Promise only while the server is asked (WHOIS).
   */
  identify(e: PrivmsgEvent): Identity | Promise<Identity> {
    const mask = `${e.nick}!${e.ident}@${e.hostname}`;
    if (this.client.capEnabled("account-tag")) return identity(e.nick, mask, e.account || undefined);
    const k = this.key(e.nick);
    if (this.accounts.has(k)) return identity(e.nick, mask, this.accounts.get(k) || undefined);
    if (this.serverHasAccounts()) {
      // Someone we share no channel with (a private message): ask the server. Not cached:
      // we would not see them quit, and the next holder of the nick is someone else.
      return this.client.whoisAccount(e.nick).then((account) => identity(e.nick, mask, account));
    }
    return identity(e.nick, mask, undefined);
  }
}

function identity(nick: string, mask: string, account: string | undefined): Identity {
  return { network: "irc", id: nick, display: nick, mask, ...(account ? { account } : {}) };
}
