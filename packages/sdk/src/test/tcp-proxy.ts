import { createServer, type Server, Socket } from "node:net";

/**
 * What the network between client and server does: `up` forwards both ways, `down` drops every connection
 * (existing and new, like a pulled cable), `mute` forwards the client's bytes but loses the server's (the
 * request arrives, the reply never does).
 */
export type LinkMode = "up" | "down" | "mute";

/**
 * A TCP proxy on port 0 in front of a Softchat server, so tests can break and heal the real network path
 * of real sockets (and point it at a restarted server) without touching client or server code.
 */
export class FaultyProxy {
  private mode: LinkMode = "up";
  private readonly pairs = new Set<[Socket, Socket]>();
  connections = 0;

  private constructor(
    private readonly server: Server,
    private targetPort: number,
  ) {}

  static async start(targetPort: number): Promise<FaultyProxy> {
    let proxy: FaultyProxy | null = null;
    const server = createServer((client) => proxy?.accept(client));
    proxy = new FaultyProxy(server, targetPort);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends new connections to another port (a restarted server). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  set(mode: LinkMode): void {
    this.mode = mode;
    if (mode === "down") {
      for (const [a, b] of this.pairs) {
        a.destroy();
        b.destroy();
      }
      this.pairs.clear();
    }
  }

  async close(): Promise<void> {
    this.set("down");
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === "down") {
      client.destroy();
      return;
    }
    this.connections++;
    const upstream = new Socket();
    upstream.connect(this.targetPort, "127.0.0.1");
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk) => {
      if (this.mode !== "down") upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (this.mode === "up") client.write(chunk);
    });
    client.on("close", drop);
    upstream.on("close", drop);
    client.on("error", drop);
    upstream.on("error", drop);
  }
}
