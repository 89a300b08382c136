/**
 * A worker thread of the realtime benchmark holding a share of the receiving clients, so the clients' work is
 * spread over the cores as a real audience's would be over many devices, and a busy bench thread does not
 * pass for server latency. Used the same way for Softchat's SDK clients and the peer's bare clients.
 * Latency is the epoch time (`performance.timeOrigin + performance.now()`, one clock for every thread of
 * the process) at the handler, minus the sender's stamp in the message text.
 */
import { parentPort, workerData } from "node:worker_threads";
import { io, type Socket } from "socket.io-client";
import { createClient, type SoftchatClient } from "../../packages/sdk/src/index.js";
import { benchRealtime, pool, until } from "./util.js";

export interface ReceiverShare {
  kind: "softchat" | "peer";
  url: string;
  /** Softchat: the room the receivers follow. */
  roomId: string;
  /** Softchat: one access token per receiver. Peer: as many receivers as entries (the values are unused). */
  tokens: string[];
}

/** Messages a receiver thread posts to the bench. */
export type ReceiverReport =
  | { type: "connected"; count: number }
  | { type: "latencies"; values: number[] }
  | { type: "closed" };

const share = workerData as ReceiverShare;
const port = parentPort;
if (!port) throw new Error("receivers.ts runs as a worker thread");

const now = () => performance.timeOrigin + performance.now();
let pending: number[] = [];
const onText = (text: string) => {
  const { t, warm } = JSON.parse(text) as { t: number; warm: boolean };
  if (!warm) pending.push(now() - t);
};
// Batched so reporting costs the thread little; the latency was taken at the handler already.
const flush = setInterval(() => {
  if (pending.length === 0) return;
  port.postMessage({ type: "latencies", values: pending } satisfies ReceiverReport);
  pending = [];
}, 20);

const sdkClients: SoftchatClient[] = [];
const sockets: Socket[] = [];

async function connect(): Promise<void> {
  if (share.kind === "softchat") {
    for (const accessToken of share.tokens) {
      const client = createClient({
        baseUrl: share.url,
        realtime: benchRealtime,
      });
      await client.auth.signInWithTokens({ accessToken });
      client.realtime.on("message_received", (e) => {
        if (e.roomId === share.roomId) onText(e.message.text);
      });
      sdkClients.push(client);
    }
    await pool(sdkClients, 64, async (client) => {
      client.realtime.connect();
      await until(() => client.realtime.state === "connected", 60_000);
    });
    return;
  }
  await pool(share.tokens, 64, async () => {
    const socket = io(share.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    socket.on("message_received", (e: { message: { text: string } }) => onText(e.message.text));
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  });
}

port.on("message", (message: { type: "close" }) => {
  if (message.type !== "close") return;
  clearInterval(flush);
  for (const client of sdkClients) client.realtime.reset();
  for (const socket of sockets) socket.disconnect();
  port.postMessage({ type: "closed" } satisfies ReceiverReport);
});

connect().then(
  () => port.postMessage({ type: "connected", count: share.tokens.length } satisfies ReceiverReport),
  (err) => {
    throw err;
  },
);
