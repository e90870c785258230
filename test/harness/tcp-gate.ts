import { createServer, type Socket, connect as tcpConnect } from "node:net";

/**
 * A loopback TCP forwarder in front of a server, so a test decides when a
 * client may reach it again: while held, new connections are accepted but
 * not forwarded (their bytes wait) until release(). Each forwarded connection
 * ends when either side does, as a direct one would. It also records what each
 * client wrote, so a test can tell what was sent from what arrived.
 *
 * stall() freezes the connections already open, in one direction or both: the
 * bytes wait in the gate, nothing is closed, and each side sees only silence
 * until unstall() passes on what waited, in order. A side that closes a stalled
 * connection closes the other side too (as a server would once it noticed).
 */
export class TcpGate {
  private held = false;
  private readonly waiting: Socket[] = [];
  private readonly open = new Set<Socket>();
  private readonly written: string[] = [];
  private readonly links = new Set<Link>();

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    private readonly target: number,
  ) {}

  static async start(target: number): Promise<TcpGate> {
    let gate: TcpGate | undefined;
    const server = createServer({ pauseOnConnect: true }, (down) => gate?.accept(down));
    gate = new TcpGate(server, target);
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
    return gate;
  }

  get port(): number {
    const a = this.server.address();
    if (!a || typeof a === "string") throw new Error("tcp gate is not listening");
    return a.port;
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const s of this.waiting.splice(0)) this.forward(s);
  }

  private accept(down: Socket): void {
    this.open.add(down);
    down.on("close", () => this.open.delete(down));
    down.on("error", () => down.destroy());
    if (this.held) this.waiting.push(down);
    else this.forward(down);
  }

  private forward(down: Socket): void {
    if (down.destroyed) return;
    const up = tcpConnect(this.target, "127.0.0.1");
    this.open.add(up);
    up.on("close", () => {
      this.open.delete(up);
      down.destroy();
    });
    down.on("close", () => up.destroy());
    up.on("error", () => up.destroy());
    up.on("connect", () => {
      const i = this.written.push("") - 1;
      const link: Link = { down, up };
      this.links.add(link);
      up.on("close", () => this.links.delete(link));
      down.on("data", (d: Buffer) => {
        this.written[i] += d.toString("utf8");
        link.toServer?.push(d);
      });
      up.on("data", (d: Buffer) => link.toClient?.push(d));
      down.pipe(up);
      up.pipe(down);
      down.resume();
    });
  }

  /** Stops forwarding on every open connection ("toServer": what clients write; "toClient": what the server writes). */
  stall(direction: "both" | "toServer" | "toClient" = "both"): void {
    for (const l of this.links) {
      if (direction !== "toClient" && !l.toServer) {
        l.toServer = [];
        l.down.unpipe(l.up);
        l.down.resume();
      }
      if (direction !== "toServer" && !l.toClient) {
        l.toClient = [];
        l.up.unpipe(l.down);
        l.up.resume();
      }
    }
  }

  /** Passes on, in order, what waited during the stall, and forwards again. */
  unstall(): void {
    for (const l of this.links) {
      if (l.toServer) {
        for (const d of l.toServer) l.up.write(d);
        l.toServer = undefined;
        l.down.pipe(l.up);
      }
      if (l.toClient) {
        for (const d of l.toClient) l.down.write(d);
        l.toClient = undefined;
        l.up.pipe(l.down);
      }
    }
  }

  /** Forwarded connections still open. */
  get openConnections(): number {
    return this.links.size;
  }

  /** The protocol lines each forwarded client connection wrote, one list per connection. */
  clientLines(): string[][] {
    return this.written.map((w) => w.split("\r\n").filter(Boolean));
  }

  async stop(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}

/** One forwarded connection; a direction's buffer exists while that direction is stalled. */
interface Link {
  down: Socket;
  up: Socket;
  toServer?: Buffer[];
  toClient?: Buffer[];
}
