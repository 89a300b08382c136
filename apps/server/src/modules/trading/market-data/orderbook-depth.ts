import type { OrderbookSnapshot } from "@softchat/contracts";
import { lotsToQuantity, type PairSpec, ticksToPrice } from "../engine/pairs.js";
import type { EngineEvent, Side } from "../engine/types.js";

/** Levels changed since the last update, with their ABSOLUTE quantities ("0": the level is gone). */
export type OrderbookUpdate = OrderbookSnapshot;

/**
 * Aggregated depth of one pair (price level → total quantity), kept from the engine's events alone so any
 * node that receives them can serve snapshots. It numbers its updates: `seq` of a snapshot is that of the
 * last update taken, and the next update is `seq + 1`. A snapshot may already include changes that the next
 * update repeats; since updates carry absolute quantities, applying them again is harmless.
 */
export class OrderbookDepth {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private readonly changedBids = new Set<number>();
  private readonly changedAsks = new Set<number>();
  private seq: number;

  constructor(
    readonly pair: PairSpec,
    initial: { bids?: Array<[number, number]>; asks?: Array<[number, number]>; seq?: number } = {},
  ) {
    for (const [price, qty] of initial.bids ?? []) this.bids.set(price, qty);
    for (const [price, qty] of initial.asks ?? []) this.asks.set(price, qty);
    this.seq = initial.seq ?? 0;
  }

  /** Sequence number of the last update taken. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Whether changes are waiting for the next update. */
  get hasChanges(): boolean {
    return this.changedBids.size > 0 || this.changedAsks.size > 0;
  }

  /** Folds the events of executed commands into the depth. */
  apply(events: readonly EngineEvent[]): void {
    for (const e of events) {
      if (e.type === "fill") {
        this.add(e.takerSide === "buy" ? "sell" : "buy", e.price, -e.quantity);
      } else if (e.type === "canceled") {
        if (e.resting && e.price !== null) this.add(e.side, e.price, -e.quantity);
      } else if (e.type === "done") {
        if (e.resting > 0 && e.price !== null) this.add(e.side, e.price, e.resting);
      }
    }
  }

  /** The book with up to `limit` levels a side: bids high to low, asks low to high, as decimal strings. */
  snapshot(limit = Number.POSITIVE_INFINITY): OrderbookSnapshot {
    return {
      pairId: this.pair.pairId,
      seq: this.seq,
      bids: this.present(sortedLevels(this.bids, "desc", limit)),
      asks: this.present(sortedLevels(this.asks, "asc", limit)),
    };
  }

  /** The next update (seq + 1) with every level changed since the last one, or null when nothing changed. */
  takeUpdate(): OrderbookUpdate | null {
    if (!this.hasChanges) return null;
    this.seq += 1;
    const update: OrderbookUpdate = {
      pairId: this.pair.pairId,
      seq: this.seq,
      bids: this.present(changedLevels(this.changedBids, this.bids, "desc")),
      asks: this.present(changedLevels(this.changedAsks, this.asks, "asc")),
    };
    this.changedBids.clear();
    this.changedAsks.clear();
    return update;
  }

  /** [price ticks, lots] per level, best first, for comparisons with the engine. */
  levels(): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
    return {
      bids: sortedLevels(this.bids, "desc", Number.POSITIVE_INFINITY),
      asks: sortedLevels(this.asks, "asc", Number.POSITIVE_INFINITY),
    };
  }

  private add(side: Side, price: number, delta: number): void {
    const levels = side === "buy" ? this.bids : this.asks;
    const next = (levels.get(price) ?? 0) + delta;
    if (next < 0) throw new Error(`depth of ${this.pair.pairId} went negative at ${price}`);
    if (next === 0) levels.delete(price);
    else levels.set(price, next);
    (side === "buy" ? this.changedBids : this.changedAsks).add(price);
  }

  /** Levels as decimal strings; an emptied level's quantity is exactly "0", as the API promises. */
  private present(levels: Array<[number, number]>): Array<[string, string]> {
    return levels.map(([price, qty]) => [
      ticksToPrice(this.pair, price),
      qty === 0 ? "0" : lotsToQuantity(this.pair, qty),
    ]);
  }
}

function sortedLevels(
  levels: Map<number, number>,
  order: "asc" | "desc",
  limit: number,
): Array<[number, number]> {
  const prices = [...levels.keys()].sort((a, b) => (order === "asc" ? a - b : b - a));
  const out: Array<[number, number]> = [];
  for (const price of prices) {
    if (out.length >= limit) break;
    out.push([price, levels.get(price) ?? 0]);
  }
  return out;
}

function changedLevels(changed: Set<number>, levels: Map<number, number>, order: "asc" | "desc") {
  const prices = [...changed].sort((a, b) => (order === "asc" ? a - b : b - a));
  return prices.map((price): [number, number] => [price, levels.get(price) ?? 0]);
}
