import {
  accepted,
  canceledResting,
  canceledTaker,
  done,
  fill,
  MARKET_STOP_REASONS,
  rejected,
  type Taker,
} from "./engine-events.js";
import { BookOrder, BookSide, type PriceLevel } from "./order-book.js";
import type {
  CancelReason,
  EngineCommand,
  EngineEvent,
  EngineOptions,
  LimitOrderCommand,
  MarketOrderCommand,
  RestingOrderState,
  Side,
  StpMode,
} from "./types.js";

const isPositiveSafe = (n: number): boolean => Number.isSafeInteger(n) && n > 0;

/**
 * The order book of one pair and its matching rules: price-time priority, fills at the maker's price.
 * Pure and deterministic: no clock, no randomness, no I/O. The same commands in the same order always give
 * the same events, which is what lets the order pipeline journal commands and replay them after a restart.
 * One instance per pair, driven by a single writer.
 */
export class MatchingEngine {
  private readonly bids: BookSide = new BookSide(true);
  private readonly asks: BookSide = new BookSide(false);
  /** Resting orders by id. A Map iterates in insertion order, which is time priority. */
  private readonly orders = new Map<string, BookOrder>();
  private readonly protectionBps: bigint;
  private readonly defaultStp: StpMode;

  constructor(options: EngineOptions = {}) {
    const bps = options.marketProtectionBps ?? 500;
    if (!Number.isSafeInteger(bps) || bps < 0 || bps > 10_000) {
      throw new RangeError("marketProtectionBps must be an integer from 0 to 10000");
    }
    this.protectionBps = BigInt(bps);
    this.defaultStp = options.defaultStp ?? "cancel_taker";
  }

  /**
   * Rebuilds a book from resting orders listed in time priority (oldest first), without matching: a
   * snapshot taken by `restingOrders()` or the open orders the pipeline stored. Throws on a duplicate id,
   * a bad number or orders that would cross, since such a list cannot have come from a sound book.
   */
  static restore(orders: readonly RestingOrderState[], options: EngineOptions = {}): MatchingEngine {
    const engine = new MatchingEngine(options);
    for (const o of orders) {
      if (engine.orders.has(o.id)) throw new Error(`restore: duplicate order ${o.id}`);
      if (!isPositiveSafe(o.price) || !isPositiveSafe(o.remaining)) {
        throw new Error(`restore: order ${o.id} has an invalid price or quantity`);
      }
      const opposite = o.side === "buy" ? engine.bestAsk() : engine.bestBid();
      if (opposite !== null && (o.side === "buy" ? o.price >= opposite : o.price <= opposite)) {
        throw new Error(`restore: order ${o.id} would cross the book`);
      }
      engine.rest(o.id, o.owner, o.side, o.price, o.remaining);
    }
    return engine;
  }

  /** Applies one command and returns its events in order. */
  execute(command: EngineCommand): EngineEvent[] {
    switch (command.type) {
      case "limit":
        return this.placeLimit(command);
      case "market":
        return this.placeMarket(command);
      case "cancel":
        return this.cancel(command.id);
    }
  }

  /** Cancels a resting order. */
  cancel(orderId: string): EngineEvent[] {
    const order = this.orders.get(orderId);
    if (order === undefined) return [rejected(orderId, "cancel", "unknown_order")];
    const event = canceledResting(order, "user");
    this.removeResting(order);
    return [event];
  }

  /** Highest bid in ticks, or null. */
  bestBid(): number | null {
    return this.bids.best()?.price ?? null;
  }

  /** Lowest ask in ticks, or null. */
  bestAsk(): number | null {
    return this.asks.best()?.price ?? null;
  }

  /** Up to `limit` levels per side from the best, as [price ticks, total lots]. */
  depth(limit = Number.POSITIVE_INFINITY): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
    return { bids: this.bids.levels(limit), asks: this.asks.levels(limit) };
  }

  /** A resting order, or undefined when it is not on the book. */
  order(orderId: string): RestingOrderState | undefined {
    const o = this.orders.get(orderId);
    return o && { id: o.id, owner: o.owner, side: o.side, price: o.price, remaining: o.remaining };
  }

  /** Number of resting orders. */
  get size(): number {
    return this.orders.size;
  }

  /** Every resting order in time priority: `MatchingEngine.restore` of this list rebuilds the same book. */
  restingOrders(): RestingOrderState[] {
    const out: RestingOrderState[] = [];
    for (const o of this.orders.values()) {
      out.push({ id: o.id, owner: o.owner, side: o.side, price: o.price, remaining: o.remaining });
    }
    return out;
  }

  private placeLimit(c: LimitOrderCommand): EngineEvent[] {
    if (!isPositiveSafe(c.quantity)) return [rejected(c.id, "limit", "invalid_quantity")];
    if (!isPositiveSafe(c.price)) return [rejected(c.id, "limit", "invalid_price")];
    if (this.orders.has(c.id)) return [rejected(c.id, "limit", "duplicate_order_id")];
    const isBuy = c.side === "buy";
    const best = (isBuy ? this.asks : this.bids).best();
    const crosses = best !== undefined && (isBuy ? c.price >= best.price : c.price <= best.price);
    if (c.postOnly && crosses) return [rejected(c.id, "limit", "post_only_would_cross")];
    const tif = c.timeInForce ?? "GTC";
    const stp = c.stp ?? this.defaultStp;
    if (tif === "FOK" && !this.canFill(c.side, c.owner, c.price, c.quantity, stp)) {
      return [rejected(c.id, "limit", "fok_unfillable")];
    }
    // Summing lots at one level must stay exact; refuse up front what could push it past 2^53.
    if (
      tif === "GTC" &&
      (isBuy ? this.bids : this.asks).totalAt(c.price) > Number.MAX_SAFE_INTEGER - c.quantity
    ) {
      return [rejected(c.id, "limit", "level_overflow")];
    }
    const events: EngineEvent[] = [accepted(c, c.price)];
    const taker: Taker = {
      id: c.id,
      owner: c.owner,
      side: c.side,
      limit: c.price,
      remaining: c.quantity,
      filled: 0,
      stp,
      quoteLeft: null,
      stop: null,
    };
    if (crosses) this.match(taker, events);
    let resting = 0;
    let canceled = 0;
    if (taker.remaining > 0) {
      if (taker.stop === "self_trade" || tif !== "GTC") {
        canceled = taker.remaining;
        const reason: CancelReason = taker.stop === "self_trade" ? "self_trade" : "immediate_or_cancel";
        events.push(canceledTaker(taker, c.price, reason));
      } else {
        resting = taker.remaining;
        this.rest(c.id, c.owner, c.side, c.price, resting);
      }
    }
    events.push(done(taker, c.price, resting, canceled));
    return events;
  }

  private placeMarket(c: MarketOrderCommand): EngineEvent[] {
    if (!isPositiveSafe(c.quantity)) return [rejected(c.id, "market", "invalid_quantity")];
    if (c.maxQuote !== undefined && c.maxQuote <= 0n) return [rejected(c.id, "market", "invalid_quantity")];
    if (c.protectionPrice !== undefined && !isPositiveSafe(c.protectionPrice)) {
      return [rejected(c.id, "market", "invalid_price")];
    }
    if (this.orders.has(c.id)) return [rejected(c.id, "market", "duplicate_order_id")];
    const isBuy = c.side === "buy";
    const best = (isBuy ? this.asks : this.bids).best();
    if (best === undefined) return [rejected(c.id, "market", "no_liquidity")];
    const events: EngineEvent[] = [accepted(c, null)];
    const taker: Taker = {
      id: c.id,
      owner: c.owner,
      side: c.side,
      limit: c.protectionPrice ?? this.protectionPrice(c.side, best.price),
      remaining: c.quantity,
      filled: 0,
      stp: c.stp ?? this.defaultStp,
      quoteLeft: isBuy ? (c.maxQuote ?? null) : null,
      stop: null,
    };
    this.match(taker, events);
    const canceled = taker.remaining;
    if (canceled > 0) events.push(canceledTaker(taker, null, MARKET_STOP_REASONS[taker.stop ?? "empty"]));
    events.push(done(taker, null, 0, canceled));
    return events;
  }

  /** Worst price a market order may reach: the best opposite price moved by the band, rounded inward. */
  private protectionPrice(side: Side, bestPrice: number): number {
    const best = BigInt(bestPrice);
    if (side === "buy") {
      const bound = (best * (10_000n + this.protectionBps)) / 10_000n;
      return bound > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bound);
    }
    const bound = (best * (10_000n - this.protectionBps) + 9_999n) / 10_000n;
    return Math.max(1, Number(bound));
  }

  /** Matches the taker against the opposite side until it is filled or a rule stops it (`taker.stop`). */
  private match(taker: Taker, events: EngineEvent[]): void {
    const isBuy = taker.side === "buy";
    const book = isBuy ? this.asks : this.bids;
    while (taker.remaining > 0 && taker.stop === null) {
      const level = book.best();
      if (level === undefined) {
        taker.stop = "empty";
        break;
      }
      if (isBuy ? level.price > taker.limit : level.price < taker.limit) {
        taker.stop = "price";
        break;
      }
      this.matchLevel(taker, level, events);
      if (level.count === 0) book.drop(level);
    }
  }

  private matchLevel(taker: Taker, level: PriceLevel, events: EngineEvent[]): void {
    const price = level.price;
    let maker = level.head;
    while (maker !== null && taker.remaining > 0) {
      const next = maker.next;
      if (maker.owner === taker.owner) {
        if (taker.stp === "cancel_taker") {
          taker.stop = "self_trade";
          return;
        }
        events.push(canceledResting(maker, "self_trade"));
        level.total -= maker.remaining;
        level.unlink(maker);
        this.orders.delete(maker.id);
        if (taker.stp === "cancel_both") {
          taker.stop = "self_trade";
          return;
        }
        maker = next;
        continue;
      }
      let quantity = Math.min(taker.remaining, maker.remaining);
      if (taker.quoteLeft !== null) {
        const affordable = taker.quoteLeft / BigInt(price);
        if (affordable < BigInt(quantity)) quantity = Number(affordable);
        if (quantity === 0) {
          taker.stop = "funds";
          return;
        }
        taker.quoteLeft -= BigInt(quantity) * BigInt(price);
      }
      maker.remaining -= quantity;
      level.total -= quantity;
      taker.remaining -= quantity;
      taker.filled += quantity;
      events.push(fill(maker, taker, price, quantity));
      if (maker.remaining === 0) {
        level.unlink(maker);
        this.orders.delete(maker.id);
      }
      maker = next;
    }
  }

  /**
   * Whether a FOK order would fill completely, walking the book exactly as `match` would: own orders are
   * skipped under cancel_maker and end the walk otherwise. Changes nothing.
   */
  private canFill(side: Side, owner: string, limit: number, quantity: number, stp: StpMode): boolean {
    const isBuy = side === "buy";
    const book = isBuy ? this.asks : this.bids;
    let available = 0;
    for (let rank = 0; rank < book.levelCount; rank++) {
      const level = book.levelAt(rank);
      if (level === undefined || (isBuy ? level.price > limit : level.price < limit)) return false;
      for (let o = level.head; o !== null; o = o.next) {
        if (o.owner === owner) {
          if (stp === "cancel_maker") continue;
          return false;
        }
        available += o.remaining;
        if (available >= quantity) return true;
      }
    }
    return false;
  }

  private rest(id: string, owner: string, side: Side, price: number, quantity: number): void {
    const level = (side === "buy" ? this.bids : this.asks).levelFor(price);
    const order = new BookOrder(id, owner, side, price, quantity, level);
    level.append(order);
    this.orders.set(id, order);
  }

  private removeResting(order: BookOrder): void {
    const level = order.level;
    level.total -= order.remaining;
    level.unlink(order);
    this.orders.delete(order.id);
    if (level.count === 0) (order.side === "buy" ? this.bids : this.asks).drop(level);
  }
}
