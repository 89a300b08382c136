/**
 * Real-time fan-out: N authenticated SDK clients in one chat room, one sender publishing R messages/s for D
 * seconds through `send_message` (persisted, then fanned out after commit), against the same N/R/D on a bare
 * Socket.IO broadcast server (bench/peers/socketio-broadcast.ts: no auth, no persistence). Both servers run
 * as child processes, so their RSS is the server's alone. Prints one JSON line.
 *
 *   npm run bench -- realtime [--n=1000] [--rate=20] [--duration=10] [--scaled] [--idle]
 *   (or env N, R, D). --scaled: PostgreSQL + Redis from TEST_DATABASE_URL / TEST_REDIS_URL.
 *   --idle: N idle authenticated connections held by one node, and memory per connection.
 *
 * Latency is measured from the sender's call to each receiver's handler, all clients in this process (one
 * clock). Users are inserted straight into the database; the room is created and joined over REST.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { io, type Socket } from "socket.io-client";
import { createTokenService } from "../apps/server/src/platform/auth/tokens.js";
import type { Database } from "../apps/server/src/platform/db/index.js";
import { migrate } from "../apps/server/src/platform/db/migrate.js";
import { openPglite } from "../apps/server/src/platform/db/pglite.js";
import { openPostgres } from "../apps/server/src/platform/db/postgres.js";
import { createClient, type SoftchatClient } from "../packages/sdk/src/index.js";

const QUICK = process.env.BENCH_QUICK === "1";
const flag = (name: string) => process.argv.includes(`--${name}`);
function option(name: string, env: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg ? arg.slice(name.length + 3) : (process.env[env] ?? fallback));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
const N = Math.floor(option("n", "N", QUICK ? 200 : 1000));
const RATE = option("rate", "R", 20);
const DURATION = option("duration", "D", QUICK ? 3 : 10);
const SCALED = flag("scaled");
const IDLE = flag("idle");
const JWT_SECRET = randomBytes(32).toString("hex");
const root = new URL("..", import.meta.url).pathname;

const T0 = performance.now();
/** Progress on stderr (the JSON line alone goes to stdout). */
const progress = (step: string) => {
  if (process.env.BENCH_VERBOSE)
    process.stderr.write(`[${((performance.now() - T0) / 1000).toFixed(1)} s] ${step}\n`);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

interface ServerProcess {
  port: number;
  rssKb(): number;
  /** CPU time the process has used so far (user + system), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/**
 * Bundles the server the way `npm run build` does, into node_modules/.cache (so its dependencies resolve):
 * it then starts in about a second instead of ten under tsx, and nothing in the tree is touched.
 */
async function bundleServer(): Promise<string> {
  const dir = join(root, "node_modules/.cache/softchat-bench");
  const pkg = JSON.parse(readFileSync(join(root, "apps/server/package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  await build({
    entryPoints: [join(root, "apps/server/src/main.ts")],
    outfile: join(dir, "main.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: Object.keys(pkg.dependencies).filter((d) => !d.startsWith("@softchat/")),
    logLevel: "warning",
  });
  cpSync(join(root, "apps/server/src/migrations"), join(dir, "migrations"), { recursive: true });
  return join(dir, "main.js");
}

/** Starts a server as a child process and waits for the line that gives its port. */
function spawnServer(args: string[], env: Record<string, string>, portOf: (line: string) => number | null) {
  const script = args.at(-1) ?? "server";
  return new Promise<ServerProcess>((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.on("exit", (code) => reject(new Error(`${script} exited (${code}): ${stderr.slice(-2000)}`)));
    child.stdout?.on("data", (chunk) => {
      for (const line of String(chunk).split("\n")) {
        const port = portOf(line);
        if (port === null) continue;
        resolve({
          port,
          rssKb: () =>
            Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0),
          cpuMs: () => {
            // Fields 14 and 15 of /proc/<pid>/stat: utime and stime in clock ticks (100 per second on Linux).
            const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
            return (Number(fields[11]) + Number(fields[12])) * 10;
          },
          stop: () =>
            new Promise<void>((done) => {
              child.removeAllListeners("exit");
              child.once("exit", () => done());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
            }),
        });
      }
    });
  });
}

interface Deployment {
  env: Record<string, string>;
  userIds: string[];
  cleanup(): Promise<void>;
}

/** A migrated database with `count` users, embedded (PGlite files the child opens) or PostgreSQL + Redis. */
async function prepareDatabase(count: number): Promise<Deployment> {
  const tag = randomBytes(4).toString("hex");
  const insertUsers = async (db: Database) => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (email, username, password_hash, role, kyc_level, frozen)
       SELECT 'bench' || i || '-' || $1 || '@bench.test', 'bench_' || $1 || '_' || i, 'unusable', 'user', 1, false
       FROM generate_series(1, $2::int) AS i RETURNING id`,
      [tag, count],
    );
    return rows.map((r) => r.id);
  };
  if (!SCALED) {
    const dataDir = mkdtempSync(join(tmpdir(), "softchat-bench-"));
    const db = await openPglite(join(dataDir, "pglite"));
    await migrate(db);
    const userIds = await insertUsers(db);
    await db.close();
    return {
      env: { DATA_DIR: dataDir },
      userIds,
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!url || !redisUrl) throw new Error("--scaled needs TEST_DATABASE_URL and TEST_REDIS_URL");
  const schema = `bench_${tag}`;
  const admin = await openPostgres({ url, poolSize: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres({ url, poolSize: 2, schema });
  await migrate(db);
  const userIds = await insertUsers(db);
  await db.close();
  const separator = url.includes("?") ? "&" : "?";
  return {
    env: {
      DATABASE_URL: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `bench:${tag}:`,
    },
    userIds,
    cleanup: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    },
  };
}

const limits = (connections: number): Record<string, string> => ({
  NODE_ENV: "production",
  JWT_SECRET,
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "warn",
  SEED_DEMO: "false",
  RATE_LIMIT_AUTH: "1000000/1m",
  RATE_LIMIT_API: "1000000/1m",
  RATE_LIMIT_IP: "1000000/1m",
  RATE_LIMIT_SOCKET: "1000000/1m",
  SOCKET_MAX_CONNECTIONS: String(connections + 100),
  SOCKET_IDLE_TIMEOUT_MS: "3600000",
});

const softchatPort = (line: string) => {
  const m = /running at http:\/\/[^:]+:(\d+)/.exec(line);
  return m ? Number(m[1]) : null;
};
const peerPort = (line: string) => {
  const m = /^\{"port":(\d+)\}/.exec(line.trim());
  return m ? Number(m[1]) : null;
};

/** What one side measured. */
interface Figures {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  delivered: number;
  expected: number;
  connectSec: number;
  serverRssMb: number;
  rssPerConnectionKb: number;
  sendAckP50Ms?: number;
  /** CPU used while publishing, in % of one core: the server process, and this process (all the clients). */
  serverCpuPct?: number;
  clientsCpuPct?: number;
  held?: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
function percentile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

/** A side under test: how its clients connect, listen, send and close. */
interface Side {
  server: ServerProcess;
  connect(onMessage: (text: string) => void): Promise<void>;
  /** Sends and resolves on acknowledgement; sends queue one after the other, as a user's would. */
  send(text: string): Promise<void>;
  /** Clients connected right now. */
  connected(): number;
  close(): Promise<void>;
}

/** Connects, then publishes RATE msgs/s for DURATION s (after a 1 s warm-up) and collects latencies. */
async function measure(side: Side): Promise<Figures> {
  const latencies: number[] = [];
  const acks: number[] = [];
  let delivered = 0;
  const onMessage = (text: string) => {
    const { t, warm } = JSON.parse(text) as { t: number; warm: boolean };
    if (warm) return;
    latencies.push(performance.now() - t);
    delivered++;
  };
  const rssBefore = side.server.rssKb();
  const connectStart = performance.now();
  await side.connect(onMessage);
  const connectSec = (performance.now() - connectStart) / 1000;
  progress("connected");
  await sleep(1500);
  const rssConnected = side.server.rssKb();
  const total = Math.round(RATE * DURATION);
  const publish = async (count: number, warm: boolean) => {
    const start = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const wait = start + (i * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const t = performance.now();
      sends.push(side.send(JSON.stringify({ i, t, warm })).then(() => void acks.push(performance.now() - t)));
    }
    await Promise.all(sends);
  };
  await publish(Math.ceil(RATE), true);
  acks.length = 0;
  const cpuStart = { server: side.server.cpuMs(), clients: process.cpuUsage(), at: performance.now() };
  await publish(total, false);
  const expected = total * N;
  await until(() => delivered >= expected, 15_000);
  const elapsed = performance.now() - cpuStart.at;
  const clientCpu = process.cpuUsage(cpuStart.clients);
  const serverCpuPct = round(((side.server.cpuMs() - cpuStart.server) / elapsed) * 100, 0);
  const clientsCpuPct = round(((clientCpu.user + clientCpu.system) / 1000 / elapsed) * 100, 0);
  progress("published");
  const serverRssMb = side.server.rssKb() / 1024;
  await side.close();
  progress("closed");
  latencies.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  return {
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    p999Ms: percentile(latencies, 0.999),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    delivered,
    expected,
    connectSec: round(connectSec),
    serverRssMb: round(serverRssMb, 1),
    rssPerConnectionKb: round((rssConnected - rssBefore) / (N + 1), 1),
    sendAckP50Ms: percentile(acks, 0.5),
    serverCpuPct,
    clientsCpuPct,
  };
}

/** Softchat: N receivers + 1 sender, SDK clients over WebSocket, messages persisted. */
async function softchatSide(): Promise<Side> {
  const deployment = await prepareDatabase(N + 1);
  progress("database ready");
  const bundle = await bundleServer();
  progress("server bundled");
  const server = await spawnServer([bundle], { ...limits(N + 1), ...deployment.env }, softchatPort);
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const tokens = createTokenService(JWT_SECRET, 3600);
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
  await pool(clients.slice(0, N), 16, async (c) => void (await c.chat.join(room.id)));
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
async function peerSide(): Promise<Side> {
  const server = await spawnServer(
    ["--import", "tsx", join(root, "bench/peers/socketio-broadcast.ts")],
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

/** Idle mode: connect N clients, hold them, and read the server's memory. */
async function idle(side: Side, holdMs: number): Promise<Figures> {
  const rssBefore = side.server.rssKb();
  const start = performance.now();
  await side.connect(() => {});
  const connectSec = (performance.now() - start) / 1000;
  await sleep(holdMs);
  const rss = side.server.rssKb();
  const figures: Figures = {
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    p999Ms: Number.NaN,
    maxMs: Number.NaN,
    delivered: 0,
    expected: 0,
    connectSec: round(connectSec),
    serverRssMb: round(rss / 1024, 1),
    rssPerConnectionKb: round((rss - rssBefore) / (N + 1), 1),
    held: side.connected(),
  };
  await side.close();
  return figures;
}

async function main(): Promise<void> {
  // The load average says how much else was running: the figures are only comparable on a quiet machine.
  const loadBefore = round(loadavg()[0] ?? 0, 1);
  const run = (side: Side) => (IDLE ? idle(side, 5000) : measure(side));
  const softchat = await run(await softchatSide());
  const peer = await run(await peerSide());
  const result = {
    bench: IDLE ? "realtime-idle" : "realtime",
    mode: SCALED ? "scaled (PostgreSQL + Redis)" : "embedded (PGlite)",
    clients: N,
    ...(IDLE ? {} : { ratePerSec: RATE, durationSec: DURATION }),
    softchat,
    peer: { name: "bare Socket.IO broadcast (no auth, no persistence)", ...peer },
    ratio: {
      p99: round(softchat.p99Ms / peer.p99Ms),
      rssPerConnection: round(softchat.rssPerConnectionKb / peer.rssPerConnectionKb),
    },
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      node: process.version,
      loadAvg1m: { before: loadBefore, after: round(loadavg()[0] ?? 0, 1) },
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`realtime bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
