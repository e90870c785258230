import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/log.js";

const TTL_MS = 3_600_000;

/**
 * Slack user id → the name people see (display name, else real name, else the
 * handle), cached for an hour. A lookup that fails gives the id: a command never
 * waits on, or fails for, a name.
 */
export class UserNames {
  private readonly cache = new Map<string, { name: string; at: number }>();

  constructor(
    private readonly client: () => webApi.WebClient,
    private readonly log: Logger,
  ) {}

  async get(userId: string): Promise<string> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.name;
    try {
      const r = await this.client().users.info({ user: userId });
      const u = r.user;
      const name = u?.profile?.display_name || u?.real_name || u?.name || userId;
      this.cache.set(userId, { name, at: Date.now() });
      return name;
    } catch (e) {
      this.log.debug({ user: userId, err: (e as Error).message }, "Slack: no display name");
      return userId;
    }
  }
}
