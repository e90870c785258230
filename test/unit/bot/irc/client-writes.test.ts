import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { IrcClient } from "../../../../src/bot/irc/client.js";

/** The socket under an IrcClient (irc-framework's transport), to see how its writes reach the system. */
type Writes = {
  _write: (...a: unknown[]) => unknown;
  _writev: (chunks: unknown[], ...a: unknown[]) => unknown;
};
const socketOf = (c: IrcClient) =>
  (c as unknown as { client: { connection: { transport: { socket: Socket & Writes } } } }).client.connection
    .transport.socket;

describe("IrcClient writes", () => {
  let server: Server | undefined;
  let client: IrcClient | undefined;
  afterEach(async () => {
    client?.quit("bye");
    if (server) await new Promise((r) => server?.close(r));
  });

  it("the first line of a tick leaves at once, the rest of that tick in one write; in order, once each", async () => {
    let received = "";
    let accepted!: (s: Socket) => void;
    const peer = new Promise<Socket>((res) => {
      accepted = res;
    });
    const srv = createServer((s) => {
      s.on("data", (d) => {
        received += d.toString();
      });
      accepted(s);
    });
    server = srv;
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    client = new IrcClient();
    client.connect({ host: "127.0.0.1", port, tls: false, nick: "tess" });
    const down = await peer;
    const socket = socketOf(client);
    await new Promise<void>((r) => (socket.readyState === "open" ? r() : socket.once("connect", () => r())));
    await new Promise((r) => setImmediate(r));

    const writes: number[] = [];
    const { _write, _writev } = socket;
    socket._write = function (...a: unknown[]) {
      writes.push(1);
      return _write.apply(this, a);
    };
    socket._writev = function (chunks: unknown[], ...a: unknown[]) {
      writes.push(chunks.length);
      return _writev.call(this, chunks, ...a);
    };
    for (const n of [1, 2, 3]) client.raw(`PRIVMSG #a :line ${n}`);
    await new Promise((r) => setImmediate(r));
    // The first at once, the two after it together.
    expect(writes).toEqual([1, 2]);
    client.raw("PRIVMSG #a :line 4");
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([1, 2, 1]);

    const want = [1, 2, 3, 4].map((n) => `PRIVMSG #a :line ${n}\r\n`).join("");
    await new Promise<void>((r) => {
      const check = () => (received.includes(want) ? r() : undefined);
      down.on("data", check);
      check();
    });
    // Nothing else in between, nothing twice (the registration lines came before).
    expect(received.slice(received.indexOf("PRIVMSG"))).toBe(want);
    down.destroy();
  });
});
