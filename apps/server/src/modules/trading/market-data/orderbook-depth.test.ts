import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MatchingEngine } from "../engine/matching-engine.js";
import { loadPairs } from "../engine/pair-registry.js";
import type { PairSpec } from "../engine/pairs.js";
import type { EngineCommand, Side } from "../engine/types.js";
import { OrderbookDepth, type OrderbookUpdate } from "./orderbook-depth.js";
import { OrderbookUpdateThrottle } from "./update-throttle.js";

function pair(id: string): PairSpec {
  const found = loadPairs({
    TRADING_PAIRS: undefined,
    TRADING_MAKER_FEE_BPS: 100,
    TRADING_TAKER_FEE_BPS: 100,
  }).get(id);
  if (!found) throw new Error(`no pair ${id}`);
  return found;
}
const btcUsd = pair("BTC-USD");

let n = 0;
const order = (side: Side, price: number, quantity: number, owner = "a"): EngineCommand => ({
  type: "limit",
  id: `o${++n}`,
  owner,
  side,
  price,
  quantity,
});

/** A client's copy of the book: a snapshot, then updates applied in seq order (absolute quantities). */
class ClientBook {
  bids = new Map<string, string>();
  asks = new Map<string, string>();
  seq: number;
  constructor(snapshot: OrderbookUpdate) {
    for (const [p, q] of snapshot.bids) this.bids.set(p, q);
    for (const [p, q] of snapshot.asks) this.asks.set(p, q);
    this.seq = snapshot.seq;
  }
  apply(update: OrderbookUpdate): void {
    if (update.seq !== this.seq + 1) throw new Error(`gap: ${this.seq} then ${update.seq}`);
    this.seq = update.seq;
    for (const [side, levels] of [
      [this.bids, update.bids],
      [this.asks, update.asks],
    ] as const) {
      for (const [p, q] of levels) {
        if (q === "0") side.delete(p);
        else side.set(p, q);
      }
    }
  }
  levels() {
    // Every price of a pair has the same decimals, so the digits compare as integers.
    const key = (price: string) => BigInt(price.replace(".", ""));
    const sort = (m: Map<string, string>, dir: 1 | -1) =>
      [...m.entries()].sort((a, b) => (key(a[0]) < key(b[0]) ? -dir : key(a[0]) > key(b[0]) ? dir : 0));
    return { bids: sort(this.bids, -1), asks: sort(this.asks, 1) };
  }
}

describe("order book depth", () => {
  it("a snapshot lists bids high to low and asks low to high as decimal strings", () => {
    const engine = new MatchingEngine();
    const depth = new OrderbookDepth(btcUsd);
    for (const c of [
      order("buy", 6_000_000, 150),
      order("buy", 6_000_100, 1),
      order("sell", 6_000_500, 2),
      order("sell", 6_000_200, 3),
      order("buy", 6_000_000, 50),
    ]) {
      depth.apply(engine.execute(c));
    }
    expect(depth.snapshot()).toEqual({
      pairId: "BTC-USD",
      seq: 0,
      bids: [
        ["60001.00", "0.00001"],
        ["60000.00", "0.00200"],
      ],
      asks: [
        ["60002.00", "0.00003"],
        ["60005.00", "0.00002"],
      ],
    });
    expect(depth.snapshot(1).bids).toHaveLength(1);
  });

  it("updates carry consecutive seq and absolute level quantities, with 0 for a level that is gone", () => {
    const engine = new MatchingEngine();
    const depth = new OrderbookDepth(btcUsd);
    const maker = order("sell", 6_000_000, 5);
    depth.apply(engine.execute(maker));
    depth.apply(engine.execute(order("sell", 6_000_000, 5)));
    expect(depth.takeUpdate()).toEqual({
      pairId: "BTC-USD",
      seq: 1,
      bids: [],
      asks: [["60000.00", "0.00010"]],
    });
    expect(depth.takeUpdate()).toBeNull();
    depth.apply(engine.execute(order("buy", 6_000_000, 7, "b")));
    expect(depth.takeUpdate()).toMatchObject({ seq: 2, asks: [["60000.00", "0.00003"]] });
    depth.apply(engine.execute(order("buy", 6_000_000, 3, "b")));
    expect(depth.takeUpdate()).toMatchObject({ seq: 3, asks: [["60000.00", "0"]] });
    expect(depth.snapshot()).toMatchObject({ seq: 3, asks: [] });
  });

  it("kept from engine events alone, it always equals the engine's own book", () => {
    const commands = fc.array(
      fc.oneof(
        fc.record({
          type: fc.constant("limit" as const),
          owner: fc.constantFrom("a", "b"),
          side: fc.constantFrom<Side>("buy", "sell"),
          price: fc.integer({ min: 95, max: 105 }),
          quantity: fc.integer({ min: 1, max: 10 }),
          timeInForce: fc.constantFrom("GTC" as const, "IOC" as const, "FOK" as const),
          stp: fc.constantFrom("cancel_taker" as const, "cancel_maker" as const, "cancel_both" as const),
        }),
        fc.record({
          type: fc.constant("market" as const),
          owner: fc.constantFrom("a", "b"),
          side: fc.constantFrom<Side>("buy", "sell"),
          quantity: fc.integer({ min: 1, max: 15 }),
        }),
        fc.record({ type: fc.constant("cancel" as const), target: fc.nat(100) }),
      ),
      { maxLength: 150 },
    );
    fc.assert(
      fc.property(commands, fc.integer({ min: 1, max: 50 }), (raw, every) => {
        const engine = new MatchingEngine();
        const depth = new OrderbookDepth(btcUsd);
        let client: ClientBook | undefined;
        raw.forEach((c, i) => {
          const command: EngineCommand =
            c.type === "cancel"
              ? { type: "cancel", id: `c${c.target % Math.max(i, 1)}` }
              : { ...c, id: `c${i}` };
          depth.apply(engine.execute(command));
          // A client joins midway from a snapshot and then follows the updates.
          if (i === 3) client = new ClientBook(depth.snapshot());
          if (i % every === 0) {
            const update = depth.takeUpdate();
            if (update && client) client.apply(update);
          }
          expect(depth.levels()).toEqual(engine.depth());
        });
        const final = depth.takeUpdate();
        if (final && client) client.apply(final);
        if (client) {
          const snap = depth.snapshot();
          expect(client.levels()).toEqual({ bids: snap.bids, asks: snap.asks });
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("order book update throttle", () => {
  it("a busy book sends at most 10 updates a second, coalesced, with consecutive seq", () => {
    const engine = new MatchingEngine();
    const throttle = new OrderbookUpdateThrottle(new OrderbookDepth(btcUsd), 10);
    const sent: Array<{ at: number; update: OrderbookUpdate }> = [];
    // 2,000 orders over two simulated seconds, one per millisecond, plus timer flushes when due.
    for (let ms = 0; ms < 2000; ms++) {
      const update = throttle.apply(
        engine.execute(
          order(ms % 2 ? "buy" : "sell", ms % 2 ? 900 + (ms % 50) : 1000 + (ms % 50), 1, `u${ms % 3}`),
        ),
        ms,
      );
      if (update) sent.push({ at: ms, update });
      const due = throttle.nextFlushAt();
      if (due !== null && due <= ms) {
        const flushed = throttle.flush(ms);
        if (flushed) sent.push({ at: ms, update: flushed });
      }
    }
    expect(sent.length).toBeLessThanOrEqual(20);
    expect(sent.length).toBeGreaterThanOrEqual(19);
    expect(sent.map((s) => s.update.seq)).toEqual(sent.map((_, i) => i + 1));
    for (let i = 1; i < sent.length; i++) {
      expect((sent[i]?.at ?? 0) - (sent[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(100);
    }
    // Whatever is still pending goes out once its time comes, and then the client's copy is exact.
    const due = throttle.nextFlushAt();
    const last = due === null ? null : throttle.flush(due);
    const client = new ClientBook({ pairId: "BTC-USD", seq: 0, bids: [], asks: [] });
    for (const s of sent) client.apply(s.update);
    if (last) client.apply(last);
    const snap = throttle.depth.snapshot();
    expect(client.levels()).toEqual({ bids: snap.bids, asks: snap.asks });
  });

  it("a quiet book sends each change at once", () => {
    const throttle = new OrderbookUpdateThrottle(new OrderbookDepth(btcUsd), 10);
    const engine = new MatchingEngine();
    expect(throttle.apply(engine.execute(order("buy", 100, 1)), 0)?.seq).toBe(1);
    expect(throttle.apply(engine.execute(order("buy", 101, 1)), 500)?.seq).toBe(2);
    expect(throttle.nextFlushAt()).toBeNull();
  });
});
