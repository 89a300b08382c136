import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { createTokenService } from "../../apps/server/src/platform/auth/tokens.js";
import { createClient, type SoftchatClient } from "../../packages/sdk/src/index.js";
import { benchLimits, prepareDatabase } from "./deployment.js";
import { bundleServer, peerPort, type ServerProcess, softchatPort, spawnServer } from "./processes.js";
import { pool, progress, root, until } from "./util.js";

/** A side under test: how its clients connect, listen, send and close. */
export interface Side {
  server: ServerProcess;
  connect(onMessage: (text: string) => void): Promise<void>;
  /** Sends and resolves on acknowledgement; sends queue one after the other, as a user's would. */
  send(text: string): Promise<void>;
  /** Clients connected right now. */
  connected(): number;
  close(): Promise<void>;
}

/**
 * Softchat: N receivers + 1 sender, SDK clients over WebSocket, messages persisted. With `shareRoom` false
 * (idle mode) the clients stay out of the room.
 */
export async function softchatSide(
  n: number,
  scaled: boolean,
  shareRoom = true,
  profileDir?: string,
): Promise<Side> {
  const N = n;
  const jwtSecret = randomBytes(32).toString("hex");
  const deployment = await prepareDatabase(N + 1, scaled);
  progress("database ready");
  const bundle = await bundleServer();
  progress("server bundled");
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const server = await spawnServer(
    [...profile, bundle],
    { ...benchLimits(N + 1, jwtSecret), ...deployment.env },
    softchatPort,
  );
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const tokens = createTokenService(jwtSecret, 3600);
  const clients: SoftchatClient[] = [];
  for (const userId of deployment.userIds) {
    const client = createClient({
      baseUrl,
      realtime: {
        transports: ["websocket"],
        followNotifications: false,
        ackTimeoutMs: 30_000,
        connectTimeoutMs: 30_000,
      },
    });
    await client.auth.signInWithTokens({ accessToken: await tokens.signAccess({ userId, role: "user" }) });
    clients.push(client);
  }
  progress("server started, clients created");
  const sender = clients[N];
  if (!sender) throw new Error("no sender");
  const room = await sender.chat.createRoom({ name: "bench", type: "public" });
  // Idle connections need no room: room-mates would also get each other's presence, N² events in all.
  if (shareRoom) await pool(clients.slice(0, N), 16, async (c) => void (await c.chat.join(room.id)));
  progress("room joined over REST");
  return {
    server,
    async connect(onMessage) {
      for (const client of clients.slice(0, N)) {
        client.realtime.on("message_received", (e) => {
          if (e.roomId === room.id) onMessage(e.message.text);
        });
      }
      await pool(clients, 64, async (client) => {
        client.realtime.connect();
        await until(() => client.realtime.state === "connected", 60_000);
      });
    },
    send: async (text) => void (await sender.realtime.sendMessage(room.id, text)),
    connected: () => clients.filter((c) => c.realtime.state === "connected").length,
    async close() {
      for (const client of clients) client.realtime.reset();
      await server.stop();
      await deployment.cleanup();
    },
  };
}

/** The peer: the same shape of traffic on bare Socket.IO. */
export async function peerSide(n: number, profileDir?: string): Promise<Side> {
  const N = n;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}/peer`] : [];
  const server = await spawnServer(
    [...profile, "--import", "tsx", join(root, "bench/peers/socketio-broadcast.ts")],
    {},
    peerPort,
  );
  const url = `http://127.0.0.1:${server.port}`;
  const sockets: Socket[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  return {
    server,
    async connect(onMessage) {
      await pool(
        Array.from({ length: N + 1 }, (_, i) => i),
        64,
        async (i) => {
          const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
          if (i < N)
            socket.on("message_received", (e: { message: { text: string } }) => onMessage(e.message.text));
          sockets.push(socket);
          await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
        },
      );
    },
    send(text) {
      const sender = sockets[N] ?? sockets[0];
      const sent = chain.then(() =>
        sender?.emitWithAck("send_message", { roomId: "room", message: { text } }),
      );
      chain = sent.catch(() => {});
      return sent.then(() => {});
    },
    connected: () => sockets.filter((s) => s.connected).length,
    async close() {
      for (const socket of sockets) socket.disconnect();
      await server.stop();
    },
  };
}
