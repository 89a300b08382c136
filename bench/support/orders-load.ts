/**
 * The load generator of bench/orders.ts: an open-loop stream of order POSTs at a fixed rate over keep-alive
 * HTTP connections (at most `maxInFlight` outstanding; when the server falls that far behind, sends are
 * skipped and counted), and one socket.io client per trader recording when each order is reported filled.
 */
import { Agent, request } from "node:http";
import { io, type Socket } from "socket.io-client";

export interface Reply {
  status: number;
  body: string;
}

/** A JSON POST over a shared keep-alive agent. */
export function httpClient(baseUrl: string, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  const post = (path: string, token: string | null, body: unknown, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(payload),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  return { post, close: () => agent.destroy() };
}

/** Sends `next()` `rate` times per second for `seconds`, never more than `maxInFlight` at once. */
export async function openLoop(
  rate: number,
  seconds: number,
  maxInFlight: number,
  next: (i: number) => Promise<void>,
): Promise<{ sent: number; skipped: number; startedAt: number; elapsedMs: number }> {
  const started = performance.now();
  const total = Math.floor(rate * seconds);
  let sent = 0;
  let skipped = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  while (sent + skipped < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (sent + skipped < due) {
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      inFlight++;
      const p = next(sent++).finally(() => {
        inFlight--;
        pending.delete(p);
      });
      pending.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const elapsedMs = performance.now() - started;
  await Promise.allSettled([...pending]);
  return { sent, skipped, startedAt: started, elapsedMs };
}

/** The value at quantile `q` (0..1) of `values`, or null when empty. */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null;
}

export const round = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);

/** One socket per trader; `filledAt` gets when each order was first reported `filled`. */
export async function watchFills(nodeOf: (trader: number) => string, tokens: string[]) {
  const filledAt = new Map<string, number>();
  let lastEventAt = performance.now();
  const sockets: Socket[] = await Promise.all(
    tokens.map(
      (token, trader) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = io(nodeOf(trader), {
            auth: { token },
            transports: ["websocket"],
            forceNew: true,
            reconnection: false,
          });
          socket.on("order_update", (e: { orderId: string; status: string }) => {
            lastEventAt = performance.now();
            if (e.status === "filled" && !filledAt.has(e.orderId)) filledAt.set(e.orderId, lastEventAt);
          });
          socket.once("connect", () => resolve(socket));
          socket.once("connect_error", reject);
        }),
    ),
  );
  return {
    filledAt,
    /** Resolves once no order update has arrived for `quietMs` (or after `maxMs`). */
    async settle(quietMs: number, maxMs: number) {
      const deadline = performance.now() + maxMs;
      while (performance.now() - lastEventAt < quietMs && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => {
      for (const s of sockets) s.close();
    },
  };
}
