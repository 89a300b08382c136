import { ASSET_SCALES, type PriceQuote, type TradingPair } from "@softchat/contracts";
import { formatScaled, parseScaled } from "../engine/decimal.js";
import type { PairSpec } from "../engine/pairs.js";

/** A USD quote of the price service, read back as exact micro-dollars and hundredths of a percent. */
interface UsdQuote {
  micros: bigint;
  change: bigint;
}

function usdQuote(quote: PriceQuote | undefined): UsdQuote | undefined {
  if (!quote) return undefined;
  return { micros: parseScaled(quote.price, 6), change: parseScaled(quote.change24h, 2) };
}

/**
 * A pair as the API shows it. Until the order pipeline records trades, its last price and 24 h change come
 * from the price service: base/USD for USD pairs, base/USD ÷ quote/USD for the others (ETH-BTC), rounded
 * down to the pair's tick.
 */
export function presentPair(
  pair: PairSpec,
  priceOf: (symbol: string) => PriceQuote | undefined,
): TradingPair {
  const base = usdQuote(priceOf(pair.base));
  const quote = pair.quote === "USD" ? { micros: 1_000_000n, change: 0n } : usdQuote(priceOf(pair.quote));
  let lastPrice: string | null = null;
  let change24h: string | null = null;
  if (base && quote && quote.micros > 0n) {
    const units = (base.micros * 10n ** BigInt(pair.priceDecimals)) / quote.micros;
    lastPrice = formatScaled(units - (units % pair.tickUnits), pair.priceDecimals);
    // (1 + b) / (1 + q) − 1, in hundredths of a percent.
    change24h = formatScaled(((10_000n + base.change) * 10_000n) / (10_000n + quote.change) - 10_000n, 2);
  }
  return {
    pairId: pair.pairId,
    symbol: `${pair.base}/${pair.quote}`,
    baseAsset: pair.base,
    quoteAsset: pair.quote,
    tickSize: pair.tickSize,
    lotSize: pair.lotSize,
    minNotional: pair.minNotional,
    makerFeeBps: pair.makerFeeBps,
    takerFeeBps: pair.takerFeeBps,
    fixedFee: formatScaled(pair.fixedFee, ASSET_SCALES[pair.quote]),
    lastPrice,
    change24h,
  };
}
