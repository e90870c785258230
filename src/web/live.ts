import type { FastifyReply, FastifyRequest } from "fastify";
import type { LiveHub } from "./hub.js";

/**
 * A Server-Sent Events stream for one page: the #live part is rendered again on
 * every job event and tick and sent ("update") only when it changed; a log, when
 * given, is sent as it grows ("append"). The browser's EventSource reconnects by
 * itself (retry: 2 s) and then gets the whole part again.
 */
export interface LiveSource {
  render(): Promise<string | undefined>;
  /** Text added to the log since `offset` (in characters), and the new offset. */
  append?(offset: number): Promise<{ text: string; offset: number }>;
  /** The log offset the page was rendered with (from the Last-Event-ID or the query). */
  offset?: number;
}

const frame = (event: string, data: string, id?: string) =>
  `${id ? `id: ${id}\n` : ""}event: ${event}\n${data
    .split("\n")
    .map((l) => `data: ${l}`)
    .join("\n")}\n\n`;

export function serveLive(req: FastifyRequest, reply: FastifyReply, hub: LiveHub, src: LiveSource): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 2000\n\n");
  let last: string | undefined;
  let offset = src.offset ?? 0;
  let busy = false;
  let again = false;
  let closed = false;
  const look = async () => {
    if (closed) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const part = await src.render();
        if (part !== undefined && part !== last && !closed) {
          last = part;
          res.write(frame("update", part));
        }
        if (src.append && !closed) {
          const more = await src.append(offset);
          if (more.text) {
            offset = more.offset;
            res.write(frame("append", JSON.stringify(more.text), String(offset)));
          }
        }
      } while (again && !closed);
    } catch {
      /* Redis away for a moment: the next tick tries again */
    } finally {
      busy = false;
    }
  };
  const onJob = () => void look();
  const onTick = () => void look();
  const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
  hub.on("job", onJob);
  hub.on("tick", onTick);
  req.raw.on("close", () => {
    closed = true;
    clearInterval(ping);
    hub.off("job", onJob);
    hub.off("tick", onTick);
  });
  void look();
}
