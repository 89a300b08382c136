/**
 * Order throughput: U traders (half buying with USD, half selling BTC, ETH and SOFT) post crossing limit
 * orders over HTTP at a fixed offered rate, spread over the USD pairs, against a Softchat node running as
 * a child process on PostgreSQL + Redis (TEST_DATABASE_URL / TEST_REDIS_URL, defaults on 127.0.0.1; a
 * schema and a Redis prefix of its own), or embedded with --pglite. Every trader holds a socket; a fill is
 * timed when its owner receives `order_update` with status `filled`. The peer is a bare Fastify server
 * answering the same POSTs with 202, driven by the same generator. After the node stops, the ledger's
 * invariants are read from its database. Prints one JSON line.
 *
 *   npm run bench -- orders [--users=200] [--rate=2000] [--duration=10] [--warmup=2] [--pairs=BTC-USD,ETH-USD,SOFT-USD] [--pglite]
 *   [--profile=DIR]  (writes a V8 CPU profile of the server to DIR, to see where its time goes)
 *   BENCH_NODE_FLAGS="..."  (more Node flags for the server, to compare runtime settings)
 *   [--nodes=N]  (N Softchat nodes on the same database and Redis, as a scaled deployment runs them; trader
 *                 pairs are spread over them, for both HTTP and sockets; PostgreSQL only)
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { createTokenService } from "../apps/server/src/platform/auth/tokens.js";
import { bundleServer } from "./support/bundle.js";
import {
  type ChildServer,
  checkLedger,
  machineCpuSeconds,
  prepareDeployment,
  startChild,
} from "./support/orders-deployment.js";
import { httpClient, openLoop, quantile, round, watchFills } from "./support/orders-load.js";

const QUICK = process.env.BENCH_QUICK === "1";
function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
const USERS = Math.max(2, Math.floor(option("users", QUICK ? 40 : 200) / 2) * 2);
const RATE = option("rate", QUICK ? 300 : 2000);
const DURATION = option("duration", QUICK ? 3 : 10);
/** Seconds of the same load before the measured DURATION, not counted (connections open, code warm). */
const WARMUP = option("warmup", QUICK ? 1 : 2);
const PGLITE = process.argv.includes("--pglite");
const PAIRS = (
  process.argv.find((a) => a.startsWith("--pairs="))?.slice(8) ?? "BTC-USD,ETH-USD,SOFT-USD"
).split(",");
const NODES = Math.floor(option("nodes", 1));
if (NODES > 1 && PGLITE)
  throw new Error("--nodes needs PostgreSQL: an embedded database belongs to one process");
const PROFILE_DIR = process.argv.find((a) => a.startsWith("--profile="))?.slice(10);
const MAX_IN_FLIGHT = 512;
const JWT_SECRET = randomUUID() + randomUUID();

/** A crossing order of each pair: buys and sells at one price, each worth a few dollars (over the minimum). */
const ORDER: Record<string, { price: string; quantity: string; base: string; funds: string }> = {
  "BTC-USD": { price: "60000.00", quantity: "0.0001", base: "BTC", funds: "5" },
  "ETH-USD": { price: "3000.00", quantity: "0.001", base: "ETH", funds: "50" },
  "SOFT-USD": { price: "0.1000", quantity: "20", base: "SOFT", funds: "1000000" },
};

const progress = (step: string) => {
  if (process.env.BENCH_VERBOSE) process.stderr.write(`[orders] ${step}\n`);
};

/** Which of `nodes` trader i talks to: a buyer and the seller next to it go to the same node. */
const nodeOfTrader = (trader: number, nodes: number) => Math.floor(trader / 2) % nodes;

/**
 * Waits until the servers use less than a fifth of a core over half a second (at most 60 s), and returns how
 * long that took.
 */
async function waitForQuiet(cpuSeconds: () => number): Promise<number> {
  const start = performance.now();
  let before = cpuSeconds();
  while (performance.now() - start < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuSeconds();
    if (now - before < 0.1) break;
    before = now;
  }
  return Math.round(performance.now() - start);
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

interface LoadResult {
  sent: number;
  skipped: number;
  accepted: number;
  refused: Record<string, number>;
  acceptedPerSec: number;
  acceptP50Ms: number | null;
  acceptP99Ms: number | null;
  /** id -> when it was sent and when the 202 arrived (performance.now()). */
  orders: Map<string, { sentAt: number; acceptedAt: number }>;
}

/**
 * Offers RATE orders/s to `url` for WARMUP + DURATION s without a break, and measures the last DURATION s
 * (calling `onMeasure` as they begin): the system is in its steady state by then, not starting from idle.
 * Trader i buys when even, sells when odd.
 */
async function offerOrders(
  urls: string[],
  tokens: string[],
  onMeasure: () => void = () => {},
): Promise<LoadResult> {
  const clients = urls.map((url) => httpClient(url, MAX_IN_FLIGHT));
  const latencies: number[] = [];
  const refused: Record<string, number> = {};
  const orders = new Map<string, { sentAt: number; acceptedAt: number }>();
  const startedAt = performance.now();
  let measureFrom: number | undefined;
  let sentBefore = 0;
  const run = await openLoop(RATE, WARMUP + DURATION, MAX_IN_FLIGHT, async (i) => {
    const measured = performance.now() - startedAt >= WARMUP * 1000;
    if (!measured) sentBefore = i + 1;
    if (measured && measureFrom === undefined) {
      measureFrom = performance.now();
      onMeasure();
    }
    const pairId = PAIRS[Math.floor(i / 2) % PAIRS.length] ?? "BTC-USD";
    const spec = ORDER[pairId];
    if (!spec) throw new Error(`no order shape for ${pairId}`);
    const side = i % 2 === 0 ? "buy" : "sell";
    const trader = i % tokens.length;
    const token = tokens[trader] ?? "";
    const client = clients[nodeOfTrader(trader, clients.length)] as (typeof clients)[number];
    const body = { pairId, side, type: "limit", price: spec.price, quantity: spec.quantity };
    const sentAt = performance.now();
    try {
      const res = await client.post("/api/trading/orders", token, body, { "idempotency-key": randomUUID() });
      const acceptedAt = performance.now();
      if (!measured) return;
      if (res.status === 202) {
        latencies.push(acceptedAt - sentAt);
        const id = (JSON.parse(res.body) as { order: { id: string } }).order.id;
        orders.set(id, { sentAt, acceptedAt });
      } else {
        refused[res.status] = (refused[res.status] ?? 0) + 1;
      }
    } catch {
      if (measured) refused.network = (refused.network ?? 0) + 1;
    }
  });
  for (const client of clients) client.close();
  const warmupMs = (measureFrom ?? run.startedAt) - run.startedAt;
  const measuredMs = run.elapsedMs - warmupMs;
  const offeredBefore = Math.floor((warmupMs / 1000) * RATE);
  return {
    sent: run.sent - sentBefore,
    skipped: Math.max(0, run.skipped - (offeredBefore - sentBefore)),
    accepted: latencies.length,
    refused,
    acceptedPerSec: Math.round(latencies.length / (measuredMs / 1000)),
    acceptP50Ms: round(quantile(latencies, 0.5)),
    acceptP99Ms: round(quantile(latencies, 0.99)),
    orders,
  };
}

async function main(): Promise<void> {
  const deployment = await prepareDeployment(USERS, PGLITE);
  progress(`database ready (${deployment.engine}), ${USERS} traders`);
  const script = await bundleServer("softchat-bench-orders");
  const nodeFlags = [
    // As `npm start` and the Dockerfile run the server.
    "--max-semi-space-size=64",
    ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? []),
  ];
  const nodeEnv = {
    ...deployment.env,
    NODE_ENV: "production",
    JWT_SECRET,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    SEED_DEMO: "false",
    RATE_LIMIT_AUTH: "1000000/1m",
    RATE_LIMIT_API: "1000000/1m",
    RATE_LIMIT_PAYMENTS: "1000000/1m",
    RATE_LIMIT_IP: "1000000/1m",
    RATE_LIMIT_SOCKET: "1000000/1m",
  };
  const servers: ChildServer[] = [];
  const stopAll = () => Promise.all(servers.map((s) => s.stop().catch(() => {})));
  try {
    for (let n = 0; n < NODES; n++) {
      const dataDir = NODES > 1 ? join(deployment.env.DATA_DIR ?? "", `node${n}`) : deployment.env.DATA_DIR;
      if (dataDir) mkdirSync(dataDir, { recursive: true });
      servers.push(
        await startChild([...nodeFlags, script], { ...nodeEnv, ...(dataDir ? { DATA_DIR: dataDir } : {}) }),
      );
    }
  } catch (err) {
    await stopAll();
    await deployment.cleanup();
    throw err;
  }
  const urls = servers.map((s) => s.url);
  const nodeOf = (trader: number) => urls[nodeOfTrader(trader, urls.length)] as string;
  const cpuSeconds = () => servers.reduce((sum, s) => sum + s.cpuSeconds(), 0);
  try {
    const signer = createTokenService(JWT_SECRET, 3600);
    const tokens = await Promise.all(
      deployment.userIds.map((userId) => signer.signAccess({ userId, role: "user" })),
    );
    const funding = httpClient(urls[0] as string, 16);
    const deposits = deployment.userIds.flatMap((userId, i) =>
      i % 2 === 0
        ? [{ userId, token: tokens[i] ?? "", asset: "USD", amount: "1000000.00" }]
        : PAIRS.map((p) => ({
            userId,
            token: tokens[i] ?? "",
            asset: ORDER[p]?.base ?? "",
            amount: ORDER[p]?.funds ?? "",
          })),
    );
    await pool(deposits, 16, async (d) => {
      const res = await funding.post(
        `/api/wallet/${d.userId}/deposits`,
        d.token,
        { asset: d.asset, amount: d.amount, provider: "sandbox" },
        { "idempotency-key": randomUUID() },
      );
      if (res.status !== 201) throw new Error(`deposit refused: ${res.status} ${res.body}`);
    });
    funding.close();
    progress(`${deposits.length} deposits done; connecting ${USERS} sockets`);
    const fills = await watchFills(nodeOf, tokens);
    // The deposits' follow-up work (AML rules, portfolio activities, audit sealing, notifications) runs after
    // they are answered; left running, it would be measured as the orders' cost at low offered rates.
    const quietAfterMs = await waitForQuiet(cpuSeconds);
    progress(`servers quiet after ${quietAfterMs} ms`);

    let cpuBefore = 0;
    let pgBefore = 0;
    let redisBefore = 0;
    let genBefore = process.cpuUsage();
    let wallStart = 0;
    const load = await offerOrders(urls, tokens, () => {
      cpuBefore = cpuSeconds();
      pgBefore = machineCpuSeconds("postgres");
      redisBefore = machineCpuSeconds("redis-server");
      genBefore = process.cpuUsage();
      wallStart = performance.now();
    });
    const wallMs = performance.now() - wallStart;
    const serverCpu = cpuSeconds() - cpuBefore;
    const pgCpu = machineCpuSeconds("postgres") - pgBefore;
    const redisCpu = machineCpuSeconds("redis-server") - redisBefore;
    const gen = process.cpuUsage(genBefore);
    progress(`offered ${load.sent}, accepted ${load.accepted}; waiting for fills to settle`);
    await fills.settle(2000, 60_000);
    const acceptToFill: number[] = [];
    const sendToFill: number[] = [];
    for (const [id, o] of load.orders) {
      const at = fills.filledAt.get(id);
      if (at === undefined) continue;
      acceptToFill.push(Math.max(0, at - o.acceptedAt));
      sendToFill.push(at - o.sentAt);
    }
    fills.close();

    progress("peer: bare Fastify");
    const peerServer = await startChild(["--import", "tsx", "bench/peers/bare-orders.ts"], {});
    const peer = await offerOrders([peerServer.url], tokens);
    await peerServer.stop();
    await stopAll();

    const db = await deployment.open();
    const ledger = await checkLedger(db);
    await db.close();
    const result = {
      benchmark: "orders",
      mode: PGLITE ? "embedded (PGlite, in-process jobs)" : "scaled (PostgreSQL + Redis, BullMQ)",
      nodes: NODES,
      users: USERS,
      pairs: PAIRS,
      offeredPerSec: RATE,
      durationSec: DURATION,
      warmupSec: WARMUP,
      /** How long the servers took to go quiet after the deposits, before the load began. */
      quietAfterSetupMs: quietAfterMs,
      softchat: {
        sent: load.sent,
        skippedAtInFlightCap: load.skipped,
        accepted: load.accepted,
        refused: load.refused,
        acceptedPerSec: load.acceptedPerSec,
        acceptP50Ms: load.acceptP50Ms,
        acceptP99Ms: load.acceptP99Ms,
        filled: acceptToFill.length,
        acceptToFillP50Ms: round(quantile(acceptToFill, 0.5)),
        acceptToFillP99Ms: round(quantile(acceptToFill, 0.99)),
        sendToFillP99Ms: round(quantile(sendToFill, 0.99)),
        serverCpuPct: Math.round((serverCpu / (wallMs / 1000)) * 100),
        loadGeneratorCpuPct: Math.round(((gen.user + gen.system) / 1000 / wallMs) * 100),
        ...(PGLITE
          ? {}
          : {
              postgresCpuPct: Math.round((pgCpu / (wallMs / 1000)) * 100),
              redisCpuPct: Math.round((redisCpu / (wallMs / 1000)) * 100),
            }),
      },
      peer: {
        name: "bare Fastify answering 202",
        acceptedPerSec: peer.acceptedPerSec,
        acceptP50Ms: peer.acceptP50Ms,
        acceptP99Ms: peer.acceptP99Ms,
      },
      ledger: {
        invariantsHold: ledger.imbalancedAssets.length === 0 && ledger.negativeUserAccounts === 0,
        imbalancedAssets: ledger.imbalancedAssets,
        negativeUserAccounts: ledger.negativeUserAccounts,
      },
      pipeline: {
        unprocessedOrders: ledger.unprocessedOrders,
        ordersByStatus: ledger.ordersByStatus,
        trades: ledger.trades,
        portfolioBacklog: ledger.portfolioBacklog,
      },
      target: { acceptedPerSec: 2000, acceptP99Ms: 50, acceptToFillP99Ms: 100 },
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (err) {
    await stopAll();
    throw err;
  } finally {
    await deployment.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench orders failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
