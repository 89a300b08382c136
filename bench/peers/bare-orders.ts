/**
 * The peer of bench/orders.ts: a bare Fastify server that accepts `POST /api/trading/orders` with 202 and
 * the order echoed, doing nothing else (no auth, no database, no matching). It measures what the HTTP
 * layer and the load generator reach on this machine. Run as a child process: prints `{"port":N}`.
 */
import { randomUUID } from "node:crypto";
import Fastify from "fastify";

const app = Fastify({ logger: false });

app.post("/api/trading/orders", async (request, reply) => {
  const body = request.body as Record<string, unknown>;
  return reply.status(202).send({ order: { id: randomUUID(), status: "new", ...body } });
});

app.listen({ port: 0, host: "127.0.0.1" }).then(() => {
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.on("SIGTERM", () => {
  app.close().then(() => process.exit(0));
});
