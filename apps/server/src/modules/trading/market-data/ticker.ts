import type { Ticker24h } from "@softchat/contracts";
import { formatScaled } from "../engine/decimal.js";
import { lotsToQuantity, type PairSpec, ticksToPrice } from "../engine/pairs.js";
import { type CandleBar, formatQuoteVolume } from "./candles.js";

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 1440;

/**
 * Rolling 24 h statistics from a pair's 1-minute candles: the window is the current minute and the 1,439
 * before it, so it is exact to the minute. `last` is the newest trade known even when it is older than the
 * window; the other prices are null when the window has no trade.
 */
export function ticker24h(pair: PairSpec, oneMinuteBars: readonly CandleBar[], nowMs: number): Ticker24h {
  const windowStart = (Math.floor(nowMs / MINUTE_MS) - (WINDOW_MINUTES - 1)) * MINUTE_MS;
  const newest = oneMinuteBars[oneMinuteBars.length - 1];
  let open: number | null = null;
  let high: number | null = null;
  let low: number | null = null;
  let close: number | null = null;
  let volume = 0n;
  let quoteVolume = 0n;
  let trades = 0;
  for (const bar of oneMinuteBars) {
    if (bar.openTime < windowStart || bar.openTime > nowMs) continue;
    open ??= bar.open;
    high = high === null || bar.high > high ? bar.high : high;
    low = low === null || bar.low < low ? bar.low : low;
    close = bar.close;
    volume += bar.volume;
    quoteVolume += bar.quoteVolume;
    trades += bar.trades;
  }
  const last = close ?? newest?.close ?? null;
  const price = (ticks: number | null) => (ticks === null ? null : ticksToPrice(pair, ticks));
  let change: string | null = null;
  let changePercent: string | null = null;
  if (open !== null && close !== null) {
    change = formatScaled(BigInt(close - open) * pair.tickUnits, pair.priceDecimals);
    changePercent = percentChange(BigInt(open), BigInt(close));
  }
  return {
    pairId: pair.pairId,
    last: price(last),
    open: price(open),
    high: price(high),
    low: price(low),
    change,
    changePercent,
    volume: lotsToQuantity(pair, volume),
    quoteVolume: formatQuoteVolume(pair, quoteVolume),
    trades,
  };
}

/** (to − from) / from in percent with two decimals, rounded half away from zero, exact. */
export function percentChange(from: bigint, to: bigint): string {
  if (from === 0n) return "0.00";
  const scaled = (to - from) * 10_000n;
  const negative = scaled < 0n;
  const magnitude = negative ? -scaled : scaled;
  const rounded = (magnitude * 2n + from) / (from * 2n);
  return formatScaled(negative ? -rounded : rounded, 2);
}
