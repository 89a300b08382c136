/**
 * Real-time fan-out: N authenticated SDK clients in one chat room, one sender publishing R messages/s for D
 * seconds through `send_message` (persisted, then fanned out after commit), against the same N/R/D on a bare
 * Socket.IO broadcast server (bench/peers/socketio-broadcast.ts: no auth, no persistence) sent a payload of
 * the same shape and size. Both servers run as child processes, so their RSS is the server's alone. Prints
 * one JSON line.
 *
 *   npm run bench -- realtime [--n=1000] [--rate=20] [--duration=10] [--scaled] [--idle]
 *   [--threads=2]  (worker threads holding the receivers, for both sides; 0: every client in one thread)
 *   [--profile=DIR]  (writes V8 CPU profiles of both servers to DIR)
 *   (or env N, R, D). --scaled: PostgreSQL + Redis from TEST_DATABASE_URL / TEST_REDIS_URL.
 *   --idle: N idle authenticated connections held by one node (in no shared room), and memory per connection.
 *
 * Latency is measured from the sender's call to each receiver's handler, all clients in this process (one
 * clock). Users are inserted straight into the database; the room is created and joined over REST.
 */
import { cpus, loadavg } from "node:os";
import { epochNow, peerSide, type Side, softchatSide } from "./realtime/sides.js";
import { progress, sleep, until } from "./realtime/util.js";

const QUICK = process.env.BENCH_QUICK === "1";
const flag = (name: string) => process.argv.includes(`--${name}`);
function option(name: string, env: string, fallback: number, min = 1): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg ? arg.slice(name.length + 3) : (process.env[env] ?? fallback));
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}`);
  return value;
}
const N = Math.floor(option("n", "N", QUICK ? 200 : 1000));
const RATE = option("rate", "R", 20);
const DURATION = option("duration", "D", QUICK ? 3 : 10);
const SCALED = flag("scaled");
// The receivers' work (decoding 20 frames a second each) is spread over worker threads, as a real audience's
// is over many devices: one thread holding 1,000 clients saturates before either server does.
const THREADS = Math.floor(option("threads", "THREADS", 2, 0));
const IDLE = flag("idle");
const PROFILE_DIR = process.argv.find((a) => a.startsWith("--profile="))?.slice(10);
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
  sendAckP50Ms: number;
  /** CPU used while publishing, in % of one core: the server process, and this process (all the clients). */
  serverCpuPct: number;
  clientsCpuPct: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
function percentile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

/** Connects, then publishes RATE msgs/s for DURATION s (after a 1 s warm-up) and collects latencies. */
async function measure(side: Side): Promise<Figures> {
  const latencies: number[] = [];
  const acks: number[] = [];
  let delivered = 0;
  const onDelivered = (latencyMs: number) => {
    latencies.push(latencyMs);
    delivered++;
  };
  const rssBefore = side.server.rssKb();
  const connectStart = performance.now();
  await side.connect(onDelivered);
  const connectSec = (performance.now() - connectStart) / 1000;
  progress("connected");
  await sleep(1500);
  const rssConnected = side.server.rssKb();
  const total = Math.round(RATE * DURATION);
  const warmUp = Math.ceil(RATE);
  // One steady schedule, warm-up first: message i leaves at start + i/RATE s, so the first measured message
  // is not sent the moment the warm-up's last one is acknowledged (a burst no steady sender makes).
  let cpuStart = { server: 0, clients: process.cpuUsage(), at: 0 };
  const start = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < warmUp + total; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const warm = i < warmUp;
    if (i === warmUp) {
      cpuStart = { server: side.server.cpuMs(), clients: process.cpuUsage(), at: performance.now() };
    }
    const t = epochNow();
    const sent = side.send(JSON.stringify({ i, t, warm }));
    sends.push(warm ? sent : sent.then(() => void acks.push(epochNow() - t)));
  }
  await Promise.all(sends);
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

/** What idle mode measured: connections held and the server memory they cost. */
interface IdleFigures {
  requested: number;
  held: number;
  connectSec: number;
  serverRssMb: number;
  rssPerConnectionKb: number;
}

/** Idle mode: connect N clients, hold them, and read the server's memory. */
async function idle(side: Side, holdMs: number): Promise<IdleFigures> {
  const rssBefore = side.server.rssKb();
  const start = performance.now();
  await side.connect(() => {});
  const connectSec = (performance.now() - start) / 1000;
  await sleep(holdMs);
  const rss = side.server.rssKb();
  const figures: IdleFigures = {
    requested: N + 1,
    held: side.connected(),
    connectSec: round(connectSec),
    serverRssMb: round(rss / 1024, 1),
    rssPerConnectionKb: round((rss - rssBefore) / (N + 1), 1),
  };
  await side.close();
  return figures;
}

async function main(): Promise<void> {
  // The load average says how much else was running: the figures are only comparable on a quiet machine.
  const loadBefore = round(loadavg()[0] ?? 0, 1);
  const peerName = "bare Socket.IO broadcast (no auth, no persistence)";
  let figures: Record<string, unknown>;
  if (IDLE) {
    const softchat = await idle(await softchatSide(N, SCALED, { threads: 0, shareRoom: false }), 5000);
    const peer = await idle(await peerSide(N, { threads: 0 }), 5000);
    figures = {
      softchat,
      peer: { name: peerName, ...peer },
      ratio: { rssPerConnection: round(softchat.rssPerConnectionKb / peer.rssPerConnectionKb) },
    };
  } else {
    const sides = { threads: THREADS, profileDir: PROFILE_DIR };
    const softchat = await measure(await softchatSide(N, SCALED, sides));
    const peer = await measure(await peerSide(N, sides));
    figures = {
      ratePerSec: RATE,
      receiverThreads: THREADS,
      durationSec: DURATION,
      softchat,
      peer: { name: peerName, ...peer },
      ratio: {
        p50: round(softchat.p50Ms / peer.p50Ms),
        p99: round(softchat.p99Ms / peer.p99Ms),
        rssPerConnection: round(softchat.rssPerConnectionKb / peer.rssPerConnectionKb),
      },
    };
  }
  const result = {
    bench: IDLE ? "realtime-idle" : "realtime",
    mode: SCALED ? "scaled (PostgreSQL + Redis)" : "embedded (PGlite)",
    clients: N,
    ...figures,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      node: process.version,
      loadAvg1m: { before: loadBefore, after: round(loadavg()[0] ?? 0, 1) },
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// Exit through process.exit on a signal too, so the servers started as children are killed with us.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`realtime bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
