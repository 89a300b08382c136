import type { OrderbookUpdateEvent } from "@softchat/contracts";
import { compareDecimal, isZeroDecimal } from "./decimal.js";

/** `[price, quantity]` as decimal strings. */
export type BookLevel = [price: string, quantity: string];

/** A consistent view of one pair's book: bids best (highest) first, asks best (lowest) first. */
export interface OrderBookView {
  pairId: string;
  seq: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

/** What happened to an update offered to the mirror. */
export type DeltaOutcome = "applied" | "stale" | "gap" | "no_snapshot";

/**
 * A local copy of one pair's order book built from a snapshot and `orderbook_update` deltas. Deltas carry
 * absolute quantities per level ("0" removes it) and a `seq` one above the previous; anything else is either
 * old news (ignored) or a gap (the caller must fetch a new snapshot).
 */
export class OrderBookMirror {
  private seq: number | null = null;
  private readonly bids = new Map<string, string>();
  private readonly asks = new Map<string, string>();

  constructor(readonly pairId: string) {}

  get currentSeq(): number | null {
    return this.seq;
  }

  /** Replaces the whole book. */
  applySnapshot(snapshot: OrderbookUpdateEvent): void {
    this.bids.clear();
    this.asks.clear();
    setLevels(this.bids, snapshot.bids);
    setLevels(this.asks, snapshot.asks);
    this.seq = snapshot.seq;
  }

  /** Applies the next delta, or reports why it cannot. */
  applyDelta(delta: OrderbookUpdateEvent): DeltaOutcome {
    if (this.seq === null) return "no_snapshot";
    if (delta.seq <= this.seq) return "stale";
    if (delta.seq !== this.seq + 1) return "gap";
    setLevels(this.bids, delta.bids);
    setLevels(this.asks, delta.asks);
    this.seq = delta.seq;
    return "applied";
  }

  view(): OrderBookView {
    return {
      pairId: this.pairId,
      seq: this.seq ?? 0,
      bids: sorted(this.bids, -1),
      asks: sorted(this.asks, 1),
    };
  }
}

function setLevels(side: Map<string, string>, levels: ReadonlyArray<readonly [string, string]>): void {
  for (const [price, quantity] of levels) {
    if (isZeroDecimal(quantity)) side.delete(price);
    else side.set(price, quantity);
  }
}

function sorted(side: Map<string, string>, direction: 1 | -1): BookLevel[] {
  return [...side.entries()].sort((a, b) => direction * compareDecimal(a[0], b[0]));
}
