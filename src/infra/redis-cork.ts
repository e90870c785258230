import type { Redis } from "ioredis";

type Corkable = { write: (...args: never[]) => boolean; cork(): void; uncork(): void };

const coalescing = new WeakSet<object>();

/**
 * Sends the commands a connection is given in one turn of the event loop (one
 * callback and the promise continuations it sets off) in one socket write
 * instead of one write each. Under load the replies to many commands arrive in
 * one read, and the continuations they resume each send their next command in
 * the same turn. The socket is corked at the turn's first command and uncorked
 * once its microtasks are done (a process.nextTick callback runs after them).
 * The bytes and their order are exactly those ioredis writes, and each command
 * keeps its own reply; only the system calls, the bot's and Redis's, are fewer.
 * (ioredis's own auto-pipelining, which also batches, regroups commands into
 * pipelines and is reported to break BullMQ's job state, so it is not used.)
 */
export function coalesceWrites(client: Redis): Redis {
  // Each connection and reconnection brings a socket of its own.
  client.on("connect", () => {
    const socket = client.stream as unknown as Corkable | undefined;
    if (!socket || coalescing.has(socket)) return;
    coalescing.add(socket);
    const write = socket.write;
    let corked = false;
    socket.write = function (this: Corkable, ...args: never[]) {
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      return write.apply(socket, args);
    } as Corkable["write"];
  });
  return client;
}
