/**
 * Commands in and events out of the matching engine. Prices are integer ticks and quantities integer lots
 * of the pair (see pairs.ts for the conversions), held as JavaScript numbers that must be safe integers:
 * the engine only adds, subtracts and compares them, which is exact below 2^53, and rejects anything else.
 * The one product it needs (price × quantity, for a market buy capped by funds) is computed with BigInt.
 */

export type Side = "buy" | "sell";
export type TimeInForce = "GTC" | "IOC" | "FOK";

/**
 * Self-trade prevention: what happens when an order would match a resting order of the same owner.
 * `cancel_taker` (default) cancels what is left of the incoming order; `cancel_maker` cancels the resting
 * order and keeps matching; `cancel_both` cancels both.
 */
export type StpMode = "cancel_taker" | "cancel_maker" | "cancel_both";

export interface LimitOrderCommand {
  type: "limit";
  id: string;
  owner: string;
  side: Side;
  /** Limit price in ticks. */
  price: number;
  /** Quantity in lots. */
  quantity: number;
  /** Default GTC. */
  timeInForce?: TimeInForce;
  /** Rejected instead of matching when it would cross the book. */
  postOnly?: boolean;
  stp?: StpMode;
}

export interface MarketOrderCommand {
  type: "market";
  id: string;
  owner: string;
  side: Side;
  /** Quantity in lots. */
  quantity: number;
  /**
   * Funds bound of a market buy, in tick-lots (Σ price ticks × lots of its fills may not exceed it): the
   * order pipeline converts the quote it holds (less the maximum fees) with `maxTickLotsFor`.
   */
  maxQuote?: bigint;
  /** Worst price in ticks the order may trade at; default: best opposite price ± the engine's band. */
  protectionPrice?: number;
  stp?: StpMode;
}

export interface CancelCommand {
  type: "cancel";
  id: string;
}

export type EngineCommand = LimitOrderCommand | MarketOrderCommand | CancelCommand;

export type RejectReason =
  | "invalid_price"
  | "invalid_quantity"
  | "duplicate_order_id"
  | "post_only_would_cross"
  | "fok_unfillable"
  | "no_liquidity"
  | "unknown_order"
  | "level_overflow";

export type CancelReason =
  /** The owner (or an admin, or expiry) asked. */
  | "user"
  /** Self-trade prevention. */
  | "self_trade"
  /** An IOC limit order's remainder after matching. */
  | "immediate_or_cancel"
  /** A market order reached its protection price. */
  | "price_protection"
  /** A market buy spent its funds bound. */
  | "funds_exhausted"
  /** A market order emptied the opposite side of the book. */
  | "no_liquidity";

/** The order entered the engine. Always the first event of a placed order that is not rejected. */
export interface AcceptedEvent {
  type: "accepted";
  orderId: string;
  owner: string;
  side: Side;
  orderType: "limit" | "market";
  price: number | null;
  quantity: number;
}

/** The command had no effect on the book. */
export interface RejectedEvent {
  type: "rejected";
  orderId: string;
  command: "limit" | "market" | "cancel";
  reason: RejectReason;
}

/** A trade at the maker's price. `makerRemaining` 0 means the maker left the book filled. */
export interface FillEvent {
  type: "fill";
  makerOrderId: string;
  makerOwner: string;
  takerOrderId: string;
  takerOwner: string;
  takerSide: Side;
  price: number;
  quantity: number;
  makerRemaining: number;
  takerRemaining: number;
}

/** `quantity` lots of an order will never trade. `resting` says they were on the book (its depth drops). */
export interface CanceledEvent {
  type: "canceled";
  orderId: string;
  owner: string;
  side: Side;
  price: number | null;
  quantity: number;
  reason: CancelReason;
  resting: boolean;
}

/**
 * The end of an incoming order's processing, always its last event: `filled + resting + canceled` equals
 * its quantity, and `resting` lots now sit on the book at `price`.
 */
export interface DoneEvent {
  type: "done";
  orderId: string;
  owner: string;
  side: Side;
  price: number | null;
  filled: number;
  resting: number;
  canceled: number;
}

export type EngineEvent = AcceptedEvent | RejectedEvent | FillEvent | CanceledEvent | DoneEvent;

/** A resting order as kept in a snapshot: enough to rebuild the book in the same priority order. */
export interface RestingOrderState {
  id: string;
  owner: string;
  side: Side;
  price: number;
  /** Lots still on the book. */
  remaining: number;
}

export interface EngineOptions {
  /** Band of a market order without an explicit protection price, in basis points of the best price. */
  marketProtectionBps?: number;
  /** Self-trade prevention for orders that do not choose one. */
  defaultStp?: StpMode;
}
