/**
 * The peer of bench/realtime.ts: a bare Socket.IO 4 server on Node's HTTP server, no auth, no persistence,
 * no rate limits. Every socket joins one room; `send_message` is broadcast to the room as
 * `message_received` and acknowledged. Run as a child process: prints `{"port":N}` once listening.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { serveClient: false, pingInterval: 25_000, pingTimeout: 20_000 });

io.on("connection", (socket) => {
  void socket.join("room");
  socket.on("send_message", (payload: unknown, ack?: (reply: unknown) => void) => {
    io.to("room").emit("message_received", payload);
    ack?.({ ok: true, data: null });
  });
});

http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.on("SIGTERM", () => {
  io.close();
  http.close(() => process.exit(0));
});
