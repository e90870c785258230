import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A front page like a real site's: a stylesheet, a link to another site (a
 * second server, so another host:port), a link on the same site. `broken`
 * names a path that answers 404. Records the paths asked for; holdNext()
 * keeps the next request for the page waiting (a test moves the clock meanwhile).
 */
export async function pageServer(opts: { broken?: string } = {}) {
  const hits: string[] = [];
  let gate: Promise<void> | undefined;
  let held = false;
  const other = createServer((req, res) => {
    hits.push(`/elsewhere${req.url === "/" ? "" : req.url}`);
    res.writeHead(opts.broken === "/elsewhere" ? 404 : 200).end("elsewhere");
  });
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  const otherUrl = `http://localhost:${(other.address() as AddressInfo).port}/`;
  const server = createServer(async (req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/" && gate) {
      const g = gate;
      gate = undefined;
      held = true;
      await g;
      held = false;
    }
    if (req.url === opts.broken) return void res.writeHead(404).end("gone");
    if (req.url === "/style.css")
      return void res.writeHead(200, { "content-type": "text/css" }).end("body{}");
    res.writeHead(200, { "content-type": "text/html" });
    res.end(
      `<!DOCTYPE html><html><head><link rel="stylesheet" href="/style.css"><link rel="icon" href="/favicon.ico"></head>` +
        `<body><a href="/about">About</a> <a href='${otherUrl}'>Elsewhere</a></body></html>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const close = (s: typeof server) => new Promise<void>((r) => s.close(() => r()));
  return {
    url,
    hits: () => [...hits],
    /** The next request for the page waits until the function returned is called. */
    holdNext: () => {
      let release!: () => void;
      gate = new Promise<void>((r) => {
        release = r;
      });
      return () => release();
    },
    /** A request for the page is waiting. */
    held: () => held,
    close: async () => {
      await close(server);
      await close(other);
    },
  };
}
