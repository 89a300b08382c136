import type { BookOrder } from "./order-book.js";
import type {
  AcceptedEvent,
  CanceledEvent,
  CancelReason,
  DoneEvent,
  FillEvent,
  LimitOrderCommand,
  MarketOrderCommand,
  RejectedEvent,
  Side,
  StpMode,
} from "./types.js";

/** Why an incoming order stopped matching before it was filled. */
export type StopReason = "self_trade" | "price" | "empty" | "funds" | null;

/** What is left of an incoming order while it matches. */
export interface Taker {
  id: string;
  owner: string;
  side: Side;
  /** Limit price, or protection price of a market order, in ticks. */
  limit: number;
  remaining: number;
  filled: number;
  stp: StpMode;
  /** Funds bound in tick-lots, or null when unbounded. */
  quoteLeft: bigint | null;
  stop: StopReason;
}

/** How a market order's unfilled rest is explained. */
export const MARKET_STOP_REASONS: Record<Exclude<StopReason, null>, CancelReason> = {
  self_trade: "self_trade",
  price: "price_protection",
  empty: "no_liquidity",
  funds: "funds_exhausted",
};

export function rejected(
  orderId: string,
  command: RejectedEvent["command"],
  reason: RejectedEvent["reason"],
): RejectedEvent {
  return { type: "rejected", orderId, command, reason };
}

export function accepted(c: LimitOrderCommand | MarketOrderCommand, price: number | null): AcceptedEvent {
  return {
    type: "accepted",
    orderId: c.id,
    owner: c.owner,
    side: c.side,
    orderType: c.type,
    price,
    quantity: c.quantity,
  };
}

export function fill(maker: BookOrder, taker: Taker, price: number, quantity: number): FillEvent {
  return {
    type: "fill",
    makerOrderId: maker.id,
    makerOwner: maker.owner,
    takerOrderId: taker.id,
    takerOwner: taker.owner,
    takerSide: taker.side,
    price,
    quantity,
    makerRemaining: maker.remaining,
    takerRemaining: taker.remaining,
  };
}

export function done(taker: Taker, price: number | null, resting: number, canceled: number): DoneEvent {
  return {
    type: "done",
    orderId: taker.id,
    owner: taker.owner,
    side: taker.side,
    price,
    filled: taker.filled,
    resting,
    canceled,
  };
}

/** The incoming order's unfilled rest, which never reached the book. */
export function canceledTaker(taker: Taker, price: number | null, reason: CancelReason): CanceledEvent {
  return {
    type: "canceled",
    orderId: taker.id,
    owner: taker.owner,
    side: taker.side,
    price,
    quantity: taker.remaining,
    reason,
    resting: false,
  };
}

/** A resting order leaving the book unfilled (its depth drops by `quantity`). */
export function canceledResting(order: BookOrder, reason: CancelReason): CanceledEvent {
  return {
    type: "canceled",
    orderId: order.id,
    owner: order.owner,
    side: order.side,
    price: order.price,
    quantity: order.remaining,
    reason,
    resting: true,
  };
}
