/**
 * HTTP overhead: an authenticated `GET /api/auth/me` on a real Softchat node (embedded mode, in this
 * process, port 0) against a bare Fastify hello-world, both driven by autocannon from a worker thread in
 * the same run. Prints one JSON line.
 *
 *   npm run bench -- http            (or: npx tsx bench/http.ts [--duration=10] [--connections=50])
 *
 * The Softchat request does everything a real one does: helmet headers, rate limiting, JWT verification,
 * a user read from the database, metrics and the zod serializer. Request logs are at `warn` for both sides
 * (logging every request at `info` measures the log sink, not the server).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, platform, tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { loadConfig } from "../apps/server/src/config.js";
import { startServer } from "../apps/server/src/server.js";

interface Histogram {
  average: number;
  mean: number;
  p50: number;
  p99: number;
}

interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  workers?: number;
  headers?: Record<string, string>;
}

// autocannon ships no types: this is the slice of its API the benchmark uses.
const autocannon = createRequire(import.meta.url)("autocannon") as (
  opts: AutocannonOptions,
) => Promise<AutocannonResult>;

const QUICK = process.env.BENCH_QUICK === "1";

function argument(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = found ? Number(found.slice(name.length + 3)) : fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const duration = argument("duration", QUICK ? 3 : 10);
const connections = argument("connections", 50);

interface Figures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** A short warm-up (JIT, connection pools), then the measured run. */
async function measure(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  await autocannon({ url, connections, duration: 1, workers: 1, headers });
  const r = await autocannon({ url, connections, duration, workers: 1, headers });
  return {
    reqPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

interface SoftchatFigures {
  route: string;
  figures: Figures;
  /** `GET /health` on the same node: the framework's share (hooks, headers, metrics) without auth or SQL. */
  health: Figures;
}

async function softchat(): Promise<SoftchatFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), "softchat-bench-http-"));
  const limit = "100000000/1m";
  const config = loadConfig({
    NODE_ENV: "production",
    JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SEED_DEMO: "false",
    LOG_LEVEL: "warn",
    RATE_LIMIT_AUTH: limit,
    RATE_LIMIT_API: limit,
    RATE_LIMIT_PAYMENTS: limit,
    RATE_LIMIT_IP: limit,
  });
  const server = await startServer(config);
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const registered = await fetch(`${base}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: "bench@softchat.local",
        username: "bench",
        password: "bench-password-1",
      }),
    });
    const health = await measure(`${base}/health`);
    if (registered.status !== 201) {
      // Registration not available in this build: the health route is all there is to measure.
      return { route: "GET /health", figures: health, health };
    }
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}` };
    const check = await fetch(`${base}/api/auth/me`, { headers });
    if (check.status !== 200) throw new Error(`GET /api/auth/me answered ${check.status}`);
    const figures = await measure(`${base}/api/auth/me`, headers);
    return { route: "GET /api/auth/me (authenticated)", figures, health };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function bareFastify(): Promise<Figures> {
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    return await measure(`http://127.0.0.1:${port}/`);
  } finally {
    await app.close();
  }
}

const ours = await softchat();
const peer = await bareFastify();
process.stdout.write(
  `${JSON.stringify({
    bench: "http",
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? "unknown",
      node: process.version,
      platform: platform(),
    },
    durationSec: duration,
    connections,
    softchat: { route: ours.route, ...ours.figures },
    softchatHealth: { route: "GET /health", ...ours.health },
    peer: { name: "bare Fastify hello-world", route: "GET /", ...peer },
    ratio: Number((ours.figures.reqPerSec / Math.max(1, peer.reqPerSec)).toFixed(3)),
  })}\n`,
);
