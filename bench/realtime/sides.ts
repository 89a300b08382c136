import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { io, type Socket } from "socket.io-client";
import { createTokenService } from "../../apps/server/src/platform/auth/tokens.js";
import { createClient, type SoftchatClient } from "../../packages/sdk/src/index.js";
import { bundleServer } from "../support/bundle.js";
import { benchLimits, prepareDatabase } from "./deployment.js";
import { peerPort, type ServerProcess, softchatPort, spawnServer } from "./processes.js";
import type { ReceiverReport, ReceiverShare } from "./receivers.js";
import { benchRealtime, pool, progress, root, until } from "./util.js";

/** The clock every latency is taken on, the same in each thread of the bench process (epoch ms). */
export const epochNow = () => performance.timeOrigin + performance.now();

/** A side under test: how its clients connect, listen, send and close. */
export interface Side {
  server: ServerProcess;
  /** Connects every client; `onDelivered` gets each measured delivery's latency in ms. */
  connect(onDelivered: (latencyMs: number) => void): Promise<void>;
  /** Sends and resolves on acknowledgement; sends queue one after the other, as a user's would. */
  send(text: string): Promise<void>;
  /** Clients connected right now. */
  connected(): number;
  close(): Promise<void>;
}

export interface SideOptions {
  /**
   * Worker threads holding the receivers (0: all clients in the bench's main thread). The sender always
   * stays in the main thread.
   */
  threads: number;
  /** With false (idle mode) Softchat's clients stay out of the room. */
  shareRoom?: boolean;
  profileDir?: string;
}

/** What a message's text carries: the sender's stamp on `epochNow`, and whether it is a warm-up message. */
function latencyOf(text: string): number | null {
  const { t, warm } = JSON.parse(text) as { t: number; warm: boolean };
  return warm ? null : epochNow() - t;
}

/**
 * What the peer broadcasts: a payload of the same shape and size as Softchat's `message_received` (room,
 * ids, seq, time), so both sides move the same bytes to every member and decode the same JSON; only what
 * Softchat adds (auth, persistence, the SDK) differs.
 */
let peerSeq = 0;
function peerMessage(text: string) {
  const roomId = "5b0e7f57-2a43-4a4e-9a57-8e8a6c1f0d11";
  peerSeq++;
  return {
    roomId,
    message: {
      id: randomUUID(),
      roomId,
      senderId: "0b7c2f5e-3c1d-4a7e-8f3b-2d9e6a4c8b10",
      text,
      clientId: randomUUID(),
      seq: String(1000 + peerSeq),
      createdAt: new Date().toISOString(),
    },
  };
}

/** Receivers in worker threads, `tokens` split evenly between them. */
async function receiverThreads(
  kind: ReceiverShare["kind"],
  url: string,
  roomId: string,
  tokens: string[],
  threads: number,
  onDelivered: (latencyMs: number) => void,
): Promise<{ close(): Promise<void> }> {
  const workers = Array.from({ length: threads }, (_, w) => {
    const share: ReceiverShare = { kind, url, roomId, tokens: tokens.filter((_, i) => i % threads === w) };
    // A worker does not inherit the TypeScript loader: it registers it before loading the script.
    const script = JSON.stringify(new URL("./receivers.ts", import.meta.url).href);
    return new Worker(
      `import("tsx/esm/api").then(({ register }) => { register(); return import(${script}); });`,
      { eval: true, workerData: share },
    );
  });
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once("error", reject);
          worker.on("message", (report: ReceiverReport) => {
            if (report.type === "connected") resolve();
            if (report.type === "latencies") for (const ms of report.values) onDelivered(ms);
          });
        }),
    ),
  );
  return {
    async close() {
      await Promise.all(
        workers.map(async (worker) => {
          const closed = new Promise<void>((resolve) =>
            worker.on("message", (r: ReceiverReport) => r.type === "closed" && resolve()),
          );
          worker.postMessage({ type: "close" });
          await closed;
          await worker.terminate();
        }),
      );
    },
  };
}

/** Softchat: N receivers + 1 sender, SDK clients over WebSocket, messages persisted. */
export async function softchatSide(n: number, scaled: boolean, options: SideOptions): Promise<Side> {
  const N = n;
  const shareRoom = options.shareRoom ?? true;
  const jwtSecret = randomBytes(32).toString("hex");
  const deployment = await prepareDatabase(N + 1, scaled);
  progress("database ready");
  const bundle = await bundleServer("softchat-bench");
  progress("server bundled");
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const server = await spawnServer(
    [...profile, bundle],
    { ...benchLimits(N + 1, jwtSecret), ...deployment.env },
    softchatPort,
  );
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const tokens = createTokenService(jwtSecret, 3600);
  const accessTokens: string[] = [];
  const clients: SoftchatClient[] = [];
  for (const userId of deployment.userIds) {
    const client = createClient({
      baseUrl,
      realtime: benchRealtime,
    });
    const accessToken = await tokens.signAccess({ userId, role: "user" });
    accessTokens.push(accessToken);
    await client.auth.signInWithTokens({ accessToken });
    clients.push(client);
  }
  progress("server started, clients created");
  const sender = clients[N];
  if (!sender) throw new Error("no sender");
  const room = await sender.chat.createRoom({ name: "bench", type: "public" });
  // Idle connections need no room: room-mates would also get each other's presence, N² events in all.
  if (shareRoom) await pool(clients.slice(0, N), 16, async (c) => void (await c.chat.join(room.id)));
  progress("room joined over REST");
  const threaded = options.threads > 0 && shareRoom;
  let threads: { close(): Promise<void> } | undefined;
  return {
    server,
    async connect(onDelivered) {
      // The main thread's clients: all of them, or only the sender when the receivers run in threads.
      const local = threaded ? [sender] : clients;
      if (threaded) {
        threads = await receiverThreads(
          "softchat",
          baseUrl,
          room.id,
          accessTokens.slice(0, N),
          options.threads,
          onDelivered,
        );
      } else {
        for (const client of clients.slice(0, N)) {
          client.realtime.on("message_received", (e) => {
            if (e.roomId !== room.id) return;
            const ms = latencyOf(e.message.text);
            if (ms !== null) onDelivered(ms);
          });
        }
      }
      await pool(local, 64, async (client) => {
        client.realtime.connect();
        await until(() => client.realtime.state === "connected", 60_000);
      });
    },
    send: async (text) => void (await sender.realtime.sendMessage(room.id, text)),
    connected: () =>
      threaded
        ? N + (sender.realtime.state === "connected" ? 1 : 0)
        : clients.filter((c) => c.realtime.state === "connected").length,
    async close() {
      await threads?.close();
      for (const client of clients) client.realtime.reset();
      await server.stop();
      await deployment.cleanup();
    },
  };
}

/** The peer: the same shape of traffic on bare Socket.IO. */
export async function peerSide(n: number, options: SideOptions): Promise<Side> {
  const N = n;
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}/peer`] : [];
  const server = await spawnServer(
    [...profile, "--import", "tsx", join(root, "bench/peers/socketio-broadcast.ts")],
    {},
    peerPort,
  );
  const url = `http://127.0.0.1:${server.port}`;
  const sockets: Socket[] = [];
  let threads: { close(): Promise<void> } | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const open = (onMessage?: (text: string) => void) => {
    const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    if (onMessage)
      socket.on("message_received", (e: { message: { text: string } }) => onMessage(e.message.text));
    sockets.push(socket);
    return new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  };
  return {
    server,
    async connect(onDelivered) {
      if (options.threads > 0) {
        threads = await receiverThreads("peer", url, "", Array(N).fill(""), options.threads, onDelivered);
        await open();
        return;
      }
      const onMessage = (text: string) => {
        const ms = latencyOf(text);
        if (ms !== null) onDelivered(ms);
      };
      await pool(
        Array.from({ length: N + 1 }, (_, i) => i),
        64,
        (i) => open(i < N ? onMessage : undefined),
      );
    },
    send(text) {
      // The sender is the last socket opened.
      const sender = sockets.at(-1);
      const sent = chain.then(() => sender?.emitWithAck("send_message", peerMessage(text)));
      chain = sent.catch(() => {});
      return sent.then(() => {});
    },
    connected: () => (threads ? N : 0) + sockets.filter((s) => s.connected).length,
    async close() {
      await threads?.close();
      for (const socket of sockets) socket.disconnect();
      await server.stop();
    },
  };
}
