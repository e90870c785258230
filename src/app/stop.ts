import type { Redis } from "ioredis";
import type { Logger } from "../core/log.js";
import type { ChatAdapter } from "../core/messages.js";
import type { Services } from "../domain/services.js";
import type { PrivateRedis } from "../infra/private-redis.js";
import type { Closable } from "./start.js";

/** What a started bot holds, as Bot.stop() takes it down. */
export interface Running {
  adapters: ChatAdapter[];
  workers?: { close(graceMs?: number): Promise<void> };
  closers: Closable[];
  services?: Services;
  redis?: Redis;
  privateRedis?: PrivateRedis;
}

/**
 * The shutdown order: stop taking input (the adapters), let running jobs finish
 * or release them within graceMs (the job workers), close the rest in the
 * reverse order of their start, then the executor, the event subscriber, the
 * queues and Redis (the private redis-server last). `now` is read at each step:
 * a stop while the bot is still starting takes down what the start made by then.
 */
export async function stopInOrder(now: () => Running, graceMs: number, log: Logger): Promise<void> {
  for (const a of now().adapters)
    await a.stop().catch((e) => log.warn({ err: (e as Error).message }, "adapter stop failed"));
  await now().workers?.close(graceMs);
  for (const c of now().closers.reverse()) await c.close().catch(() => {});
  await now()
    .services?.exec.close?.()
    .catch(() => {});
  await now().services?.events.close();
  await now().services?.queues.close();
  now().redis?.disconnect();
  await now().privateRedis?.stop();
  log.info("changebot stopped");
}
