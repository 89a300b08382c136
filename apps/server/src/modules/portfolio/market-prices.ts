import type { Asset } from "@softchat/contracts";
import type { PriceService } from "../prices/index.js";
import { ONE_USD_MICROS, parsePriceMicros } from "./usd.js";

/** USD prices in micro-dollars per unit, from the price service (USD itself is one dollar). */
export interface UsdPrices {
  /** The published price (cached; 503 `unavailable` when no source has priced the asset yet). */
  micros(asset: Asset): Promise<bigint>;
  /** What this node published last, without waiting; undefined before the first poll. */
  currentMicros(asset: Asset): bigint | undefined;
}

/** USD prices from this node's price service. */
export function usdPrices(prices: PriceService): UsdPrices {
  return {
    async micros(asset) {
      if (asset === "USD") return ONE_USD_MICROS;
      return parsePriceMicros((await prices.getPrice(asset)).price);
    },
    currentMicros(asset) {
      if (asset === "USD") return ONE_USD_MICROS;
      const quote = prices.current(asset);
      return quote ? parsePriceMicros(quote.price) : undefined;
    },
  };
}
