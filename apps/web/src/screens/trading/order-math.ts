import type { TradingPair } from "@softchat/contracts";
import { compareDecimal } from "@softchat/sdk";
import { add, fromUnits, isDecimal, isMultipleOf, mulUp, scaleOfDecimal } from "../../lib/decimal.js";
import { scaleOf } from "../../lib/money.js";

export interface OrderDraft {
  side: "buy" | "sell";
  type: "limit" | "market";
  price: string;
  quantity: string;
}

export interface OrderPreview {
  /** Field problems, keyed by field. Empty when the order can be sent. */
  errors: Partial<Record<"price" | "quantity", string>>;
  /** price × quantity in the quote asset (estimated from the book for market orders). */
  notional: string | null;
  /** The most the fee can be (the taker rate when it could take, plus the fixed fee). */
  maxFee: string | null;
  /** For a buy: notional + fee, what leaves the quote balance at most. */
  total: string | null;
  /** True when the numbers use the best book price (market orders). */
  estimated: boolean;
}

const isPositive = (v: string) => isDecimal(v) && /[1-9]/.test(v);

/** A fee rate in basis points as a decimal fraction (10 bps -> "0.0010"). */
export function bpsToRate(bps: number): string {
  return fromUnits(BigInt(bps), 4);
}

/**
 * Checks an order against the pair's rules (tick size, lot size, minimum value) and previews its value
 * and fee, exactly. Market orders are priced at the best opposite level of the book (`bestOpposite`).
 */
export function previewOrder(
  pair: TradingPair,
  draft: OrderDraft,
  bestOpposite: string | null,
): OrderPreview {
  const errors: OrderPreview["errors"] = {};
  const quantity = draft.quantity.trim();
  const price = draft.type === "limit" ? draft.price.trim() : (bestOpposite ?? "");
  if (!isPositive(quantity)) errors.quantity = "Enter a quantity above zero";
  else if (!isMultipleOf(quantity, pair.lotSize))
    errors.quantity = `Use steps of ${pair.lotSize} ${pair.baseAsset}`;
  if (draft.type === "limit") {
    if (!isPositive(price)) errors.price = "Enter a price above zero";
    else if (!isMultipleOf(price, pair.tickSize))
      errors.price = `Use steps of ${pair.tickSize} ${pair.quoteAsset}`;
  }
  if (errors.quantity || errors.price || !isPositive(price)) {
    return { errors, notional: null, maxFee: null, total: null, estimated: draft.type === "market" };
  }
  const scale = scaleOf(pair.quoteAsset) ?? Math.max(scaleOfDecimal(pair.tickSize), 2);
  const notional = mulUp(price, quantity, scale);
  if (compareDecimal(notional, pair.minNotional) < 0) {
    errors.quantity = `The order must be worth at least ${pair.minNotional} ${pair.quoteAsset}`;
  }
  const rate = bpsToRate(Math.max(pair.takerFeeBps, pair.makerFeeBps));
  const maxFee = add(mulUp(notional, rate, scale), pair.fixedFee, scale);
  const total = draft.side === "buy" ? add(notional, maxFee, scale) : null;
  return { errors, notional, maxFee, total, estimated: draft.type === "market" };
}
