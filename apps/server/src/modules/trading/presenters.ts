import { ASSET_SCALES, formatMinorUnits, type Trade, type TradingOrder } from "@softchat/contracts";
import { formatTrimmed, pow10 } from "./engine/decimal.js";
import { lotsToQuantity, type PairSpec, ticksToPrice } from "./engine/pairs.js";
import type { OrderRecord } from "./repo.js";

/** Extra digits an average price shows beyond the pair's tick (it rarely falls on a tick). */
const AVERAGE_EXTRA_DIGITS = 4;

/** The average fill price of `tickLots` over `lots`, rounded half up, trailing zeros trimmed to the tick. */
export function averagePrice(pair: PairSpec, tickLots: bigint, lots: number): string | null {
  if (lots === 0) return null;
  const scale = pair.priceDecimals + AVERAGE_EXTRA_DIGITS;
  const numerator = tickLots * pair.tickUnits * pow10(AVERAGE_EXTRA_DIGITS);
  const divisor = BigInt(lots);
  const value = (numerator * 2n + divisor) / (divisor * 2n);
  return formatTrimmed(value, scale, pair.priceDecimals);
}

/** An order as the API shows it (API.md `order`). */
export function presentOrder(pair: PairSpec, o: OrderRecord): TradingOrder {
  return {
    id: o.id,
    pairId: o.pairId,
    side: o.side,
    type: o.type,
    price: o.priceTicks === null ? null : ticksToPrice(pair, o.priceTicks),
    quantity: lotsToQuantity(pair, o.quantityLots),
    filledQuantity: lotsToQuantity(pair, o.filledLots),
    averagePrice: averagePrice(pair, o.takerTickLots + o.makerTickLots, o.filledLots),
    fee: formatMinorUnits(o.pctFee + o.fixedFee, ASSET_SCALES[pair.quote]),
    status: o.status,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

/** A trade in engine units, as stored. */
export interface TradeRecord {
  id: string;
  pairId: string;
  priceTicks: number;
  quantityLots: number;
  takerSide: "buy" | "sell";
  createdAt: Date;
}

export function presentTrade(pair: PairSpec, t: TradeRecord): Trade {
  return {
    id: t.id,
    pairId: t.pairId,
    price: ticksToPrice(pair, t.priceTicks),
    quantity: lotsToQuantity(pair, t.quantityLots),
    takerSide: t.takerSide,
    createdAt: t.createdAt.toISOString(),
  };
}
