import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/log.js";

interface ListedChannel {
  id?: string;
  name?: string;
  is_member?: boolean;
}

/**
 * Channels given by name ("#launchpad-dev") as well as by id. Slack's events and
 * methods speak ids, so names are looked up once at start in conversations.list
 * (every page of it), which also says which channels (by name or id) the bot is
 * not a member of. A name that is not found, or a channel the bot is not in, is
 * one clear line in the log; the bot starts anyway.
 */
export class SlackChannels {
  private readonly byName = new Map<string, string>();
  private resolved: string[];

  constructor(private readonly configured: readonly string[]) {
    this.resolved = configured.filter((c) => !c.startsWith("#"));
  }

  /** The configured channels as ids (names not found are left out). */
  ids(): string[] {
    return [...this.resolved];
  }

  /** A target as Slack wants it: a known "#name" becomes its id; anything else is kept. */
  id(target: string): string {
    return this.byName.get(target.replace(/^#/, "").toLowerCase()) ?? target;
  }

  async resolve(client: webApi.WebClient, log: Logger, pageSize = 200): Promise<void> {
    if (!this.configured.length) return;
    const listed: ListedChannel[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.list({
        types: "public_channel,private_channel",
        exclude_archived: true,
        limit: pageSize,
        ...(cursor ? { cursor } : {}),
      });
      listed.push(...((page.channels ?? []) as ListedChannel[]));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    for (const c of listed) if (c.id && c.name) this.byName.set(c.name.toLowerCase(), c.id);
    const ids: string[] = [];
    for (const want of this.configured) {
      const hit = listed.find((c) => c.id === this.id(want));
      if (want.startsWith("#") && !hit) {
        log.warn(
          { channel: want },
          `Slack: no channel ${want} the bot can see (a private channel needs the bot invited first); not listening there`,
        );
        continue;
      }
      const id = hit?.id ?? want;
      ids.push(id);
      if (hit && hit.is_member === false) {
        const label = hit.name ? `#${hit.name}` : want;
        log.warn(
          { channel: want, id },
          `Slack: the bot is not a member of ${label} (${id}); invite it there with /invite @changebot`,
        );
      }
    }
    this.resolved = ids;
  }
}
