/**
 * Matching engine throughput: Softchat's engine against `nodejs-order-book` on the same generated workload,
 * in the same process and run. Prints one JSON line.
 *
 *   npm run bench -- matching [--orders=200000] [--rounds=3]     (BENCH_QUICK=1: 50,000 orders, 2 rounds)
 *
 * Workload (seeded, generated before timing, identical for both books; prices are integer ticks and sizes
 * integer lots for both):
 * - limit inserts: N resting limit orders at many prices (bids below the mid, asks above, ~2,000 levels);
 * - mixed: on a pre-filled book, N operations: 45% resting limit inserts, 20% crossing limit orders,
 *   10% market orders, 25% cancels of live orders.
 * Each figure is the best of `rounds` runs after a warm-up, so neither side is measured cold.
 */
import { arch, cpus, platform } from "node:os";
import { OrderBook, Side as PeerSide } from "nodejs-order-book";
import { MatchingEngine } from "../apps/server/src/modules/trading/engine/matching-engine.js";
import type { EngineCommand } from "../apps/server/src/modules/trading/engine/types.js";

type Op =
  | { kind: "limit"; id: string; side: "buy" | "sell"; price: number; size: number }
  | { kind: "market"; id: string; side: "buy" | "sell"; size: number }
  | { kind: "cancel"; id: string };

const MID = 100_000;
const SPREAD_LEVELS = 1_000;

function argument(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = found ? Number(found.slice(name.length + 3)) : fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** mulberry32: a tiny seeded generator, so both books see byte-identical workloads on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function restingLimit(rnd: () => number, id: string): Op {
  const side = rnd() < 0.5 ? "buy" : "sell";
  const offset = 1 + Math.floor(rnd() * SPREAD_LEVELS);
  const price = side === "buy" ? MID - offset : MID + offset;
  return { kind: "limit", id, side, price, size: 1 + Math.floor(rnd() * 100) };
}

function insertWorkload(n: number, seed: number): Op[] {
  const rnd = random(seed);
  return Array.from({ length: n }, (_, i) => restingLimit(rnd, `i${seed}-${i}`));
}

function mixedWorkload(n: number, seed: number): { prefill: Op[]; ops: Op[] } {
  const rnd = random(seed);
  const prefill = Array.from({ length: 20_000 }, (_, i) => restingLimit(rnd, `p${seed}-${i}`));
  const live: string[] = prefill.map((o) => o.id);
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    const id = `m${seed}-${i}`;
    const r = rnd();
    if (r < 0.45) {
      ops.push(restingLimit(rnd, id));
      live.push(id);
    } else if (r < 0.65) {
      const side = rnd() < 0.5 ? "buy" : "sell";
      const through = Math.floor(rnd() * 20);
      const price = side === "buy" ? MID + through : MID - through;
      ops.push({ kind: "limit", id, side, price, size: 1 + Math.floor(rnd() * 300) });
      live.push(id);
    } else if (r < 0.75) {
      ops.push({ kind: "market", id, side: rnd() < 0.5 ? "buy" : "sell", size: 1 + Math.floor(rnd() * 200) });
    } else if (live.length > 0) {
      // Swap-remove a random live id; some were filled meanwhile, and cancelling those is part of real load.
      const at = Math.floor(rnd() * live.length);
      const victim = live[at] as string;
      live[at] = live[live.length - 1] as string;
      live.pop();
      ops.push({ kind: "cancel", id: victim });
    }
  }
  return { prefill, ops };
}

function toCommand(op: Op): EngineCommand {
  const owner = op.id;
  if (op.kind === "limit")
    return { type: "limit", id: op.id, owner, side: op.side, price: op.price, quantity: op.size };
  if (op.kind === "market") return { type: "market", id: op.id, owner, side: op.side, quantity: op.size };
  return { type: "cancel", id: op.id };
}

function runSoftchat(prefill: Op[], ops: Op[]): number {
  // Commands are built before timing, as the peer's option objects are.
  const before = prefill.map(toCommand);
  const commands = ops.map(toCommand);
  const engine = new MatchingEngine();
  for (const c of before) engine.execute(c);
  const start = process.hrtime.bigint();
  for (const c of commands) engine.execute(c);
  return elapsedOpsPerSec(start, commands.length);
}

function runPeer(prefill: Op[], ops: Op[]): number {
  type PeerCall = () => unknown;
  const book = new OrderBook();
  const side = (s: "buy" | "sell") => (s === "buy" ? PeerSide.BUY : PeerSide.SELL);
  const call = (op: Op): PeerCall => {
    if (op.kind === "limit") {
      const opts = { id: op.id, side: side(op.side), price: op.price, size: op.size };
      return () => book.limit(opts);
    }
    if (op.kind === "market") {
      const opts = { side: side(op.side), size: op.size };
      return () => book.market(opts);
    }
    const id = op.id;
    return () => book.cancel(id);
  };
  for (const c of prefill.map(call)) c();
  const calls = ops.map(call);
  const start = process.hrtime.bigint();
  for (const c of calls) c();
  return elapsedOpsPerSec(start, calls.length);
}

function elapsedOpsPerSec(start: bigint, count: number): number {
  const ns = process.hrtime.bigint() - start;
  return Math.round((count * 1e9) / Number(ns));
}

/** Best of `rounds` for both books, alternating them so a busy machine slows both alike. */
function bestOfBoth(run: (book: "softchat" | "peer", round: number) => number): [number, number] {
  let softchat = 0;
  let peer = 0;
  for (let r = 0; r < rounds; r++) {
    softchat = Math.max(softchat, run("softchat", r));
    peer = Math.max(peer, run("peer", r));
  }
  return [softchat, peer];
}

// `npm run bench` (every benchmark) sets BENCH_QUICK=1 for a shorter run.
const quick = process.env.BENCH_QUICK === "1";
const orders = argument("orders", quick ? 50_000 : 200_000);
const rounds = argument("rounds", quick ? 2 : 3);
const inserts = Array.from({ length: rounds }, (_, r) => insertWorkload(orders, 1 + r));
const mixed = Array.from({ length: rounds }, (_, r) => mixedWorkload(orders, 101 + r));

// Warm-up: let both JITs settle on a small run before anything is timed.
const warm = mixedWorkload(20_000, 999);
runSoftchat(warm.prefill, warm.ops);
runPeer(warm.prefill, warm.ops);

const [softchatInserts, peerInserts] = bestOfBoth((book, r) =>
  (book === "softchat" ? runSoftchat : runPeer)([], inserts[r] ?? []),
);
const [softchatMixed, peerMixed] = bestOfBoth((book, r) =>
  (book === "softchat" ? runSoftchat : runPeer)(mixed[r]?.prefill ?? [], mixed[r]?.ops ?? []),
);

console.log(
  JSON.stringify({
    bench: "matching",
    orders,
    rounds,
    softchat: { limitInsertsPerSec: softchatInserts, mixedOpsPerSec: softchatMixed },
    nodejsOrderBook: { limitInsertsPerSec: peerInserts, mixedOpsPerSec: peerMixed },
    ratio: {
      limitInserts: Number((softchatInserts / peerInserts).toFixed(2)),
      mixed: Number((softchatMixed / peerMixed).toFixed(2)),
    },
    machine: {
      node: process.version,
      platform: platform(),
      arch: arch(),
      cpu: cpus()[0]?.model ?? "unknown",
    },
  }),
);
