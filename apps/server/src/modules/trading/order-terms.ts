import type { PlaceOrderBody } from "@softchat/contracts";
import { AppError } from "../../platform/http/errors.js";
import {
  meetsMinNotional,
  type PairSpec,
  PairValueError,
  priceToTicks,
  quantityToLots,
} from "./engine/pairs.js";
import { orderbookSnapshot } from "./market.js";
import type { Trading } from "./runtime.js";

/** An order body checked against its pair and turned into engine units. */
export interface OrderTerms {
  pair: PairSpec;
  lots: number;
  /** The limit price in ticks, or null for a market order. */
  priceTicks: number | null;
  /** A market buy's worst price in ticks (best ask moved by the protection band); null otherwise. */
  protectionTicks: number | null;
  /** The price the order is valued and funded at: limit, protection price, or best bid (market sell). */
  valueTicks: number;
}

/**
 * Checks an order against its pair: the pair exists, the price is on the tick and the quantity on the lot
 * (400 `validation_failed` naming the field), the order is worth the pair's minimum notional (400), and a
 * market order has something to trade against (422 `order_rejected`). A market buy is bounded by the
 * protection price: the best ask now, moved by TRADING_MARKET_PROTECTION_BPS.
 */
export async function orderTerms(trading: Trading, body: PlaceOrderBody): Promise<OrderTerms> {
  const pair = trading.pairs.get(body.pairId);
  if (!pair) throw invalid("pairId", `Softchat does not trade ${body.pairId}`);
  const lots = onGrid(() => quantityToLots(pair, body.quantity));
  let priceTicks: number | null = null;
  let protectionTicks: number | null = null;
  let valueTicks: number;
  if (body.type === "limit") {
    priceTicks = onGrid(() => priceToTicks(pair, body.price ?? ""));
    valueTicks = priceTicks;
  } else {
    const book = await orderbookSnapshot(trading, pair.pairId);
    const best = (body.side === "buy" ? book.asks : book.bids)[0];
    if (!best) {
      throw new AppError("order_rejected", "There is nothing on the book to trade against", {
        reason: "no_liquidity",
      });
    }
    const bestTicks = priceToTicks(pair, best[0]);
    if (body.side === "buy") {
      protectionTicks = protectionPrice(bestTicks, trading.ctx.config.TRADING_MARKET_PROTECTION_BPS);
      valueTicks = protectionTicks;
    } else {
      valueTicks = bestTicks;
    }
  }
  if (!meetsMinNotional(pair, valueTicks, lots)) {
    throw invalid("quantity", `The order must be worth at least ${pair.minNotional} ${pair.quote}`, {
      minNotional: pair.minNotional,
    });
  }
  return { pair, lots, priceTicks, protectionTicks, valueTicks };
}

/** The best price moved up by `bps` basis points, rounded down to a tick (as the engine bounds a market buy). */
function protectionPrice(bestTicks: number, bps: number): number {
  const bound = (BigInt(bestTicks) * BigInt(10_000 + bps)) / 10_000n;
  return bound > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bound);
}

function onGrid(parse: () => number): number {
  try {
    return parse();
  } catch (err) {
    if (err instanceof PairValueError) throw invalid(err.field, err.message);
    throw err;
  }
}

function invalid(field: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError("validation_failed", message, {
    fields: [{ path: `body.${field}`, message }],
    ...extra,
  });
}
