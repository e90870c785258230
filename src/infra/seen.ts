import type { Redis } from "ioredis";

/** Which chat messages the bot has already taken, so a network's redelivery runs nothing twice. */
export interface SeenStore {
  /** True the first time a message (network, id) is offered; false for a repeat within the store's memory. */
  firstSeen(network: string, id: string): Promise<boolean>;
}

/** An hour of message ids in Redis, shared by every front-end process. */
export class RedisSeen implements SeenStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = 3600,
  ) {}

  async firstSeen(network: string, id: string): Promise<boolean> {
    const key = `${this.prefix}:seen:${network}:${id}`;
    return (await this.redis.set(key, "1", "EX", this.ttlSeconds, "NX")) === "OK";
  }
}
