import type { Candle, CandleInterval } from "@softchat/contracts";
import { formatScaled } from "../engine/decimal.js";
import { lotsToQuantity, type PairSpec, ticksToPrice } from "../engine/pairs.js";

/** A trade as market data needs it: price in ticks, quantity in lots, time in ms since the epoch. */
export interface TradeTick {
  price: number;
  quantity: number;
  time: number;
}

export const INTERVAL_MS: Record<CandleInterval, number> = {
  "1m": 60_000,
  "5m": 5 * 60_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
};

/** A candle in engine units: prices in ticks, volume in lots, quote volume in tick-lots (exact). */
export interface CandleBar {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: bigint;
  quoteVolume: bigint;
  trades: number;
  /** Times of the earliest and latest trade, so a late trade updates open or close correctly. */
  firstTradeAt: number;
  lastTradeAt: number;
}

/**
 * OHLCV candles of one pair at 1m, 5m, 1h and 1d, built from its trades. Each series keeps its newest
 * `maxCandles` bars (1,500 by default, so the 1m series covers the 24 h statistics). Trades may arrive a
 * little out of order (fills of different nodes' batches); each lands in the bar of its own time.
 */
export class CandleBuilder {
  private readonly series = new Map<CandleInterval, CandleBar[]>();
  private readonly maxCandles: number;

  constructor(
    readonly pair: PairSpec,
    options: { maxCandles?: number } = {},
  ) {
    this.maxCandles = options.maxCandles ?? 1500;
    for (const interval of Object.keys(INTERVAL_MS) as CandleInterval[]) this.series.set(interval, []);
  }

  add(trade: TradeTick): void {
    for (const [interval, bars] of this.series) {
      const openTime = Math.floor(trade.time / INTERVAL_MS[interval]) * INTERVAL_MS[interval];
      const at = lowerBound(bars, openTime);
      const existing = bars[at];
      if (existing !== undefined && existing.openTime === openTime) mergeTrade(existing, trade);
      // Older than everything a full series keeps: nobody can see that bar any more.
      else if (at === 0 && bars.length >= this.maxCandles) continue;
      else if (at === bars.length) bars.push(newBar(openTime, trade));
      else bars.splice(at, 0, newBar(openTime, trade));
      if (bars.length > this.maxCandles) bars.splice(0, bars.length - this.maxCandles);
    }
  }

  /** The newest `limit` bars of an interval, oldest first, in engine units. */
  bars(interval: CandleInterval, limit = this.maxCandles): CandleBar[] {
    const bars = this.series.get(interval) ?? [];
    return bars.slice(Math.max(0, bars.length - limit));
  }

  /** The newest `limit` candles of an interval, oldest first, as decimal strings. */
  candles(interval: CandleInterval, limit = this.maxCandles): Candle[] {
    return this.bars(interval, limit).map((bar) => presentCandle(this.pair, bar));
  }
}

/** Index of the first bar opening at or after `openTime` (bars are in time order; the newest is checked first). */
function lowerBound(bars: CandleBar[], openTime: number): number {
  const last = bars[bars.length - 1];
  if (last === undefined || last.openTime < openTime) return bars.length;
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bars[mid] as CandleBar).openTime < openTime) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function newBar(openTime: number, t: TradeTick): CandleBar {
  const quantity = BigInt(t.quantity);
  return {
    openTime,
    open: t.price,
    high: t.price,
    low: t.price,
    close: t.price,
    volume: quantity,
    quoteVolume: quantity * BigInt(t.price),
    trades: 1,
    firstTradeAt: t.time,
    lastTradeAt: t.time,
  };
}

function mergeTrade(bar: CandleBar, t: TradeTick): void {
  const quantity = BigInt(t.quantity);
  if (t.price > bar.high) bar.high = t.price;
  if (t.price < bar.low) bar.low = t.price;
  if (t.time < bar.firstTradeAt) {
    bar.open = t.price;
    bar.firstTradeAt = t.time;
  }
  if (t.time >= bar.lastTradeAt) {
    bar.close = t.price;
    bar.lastTradeAt = t.time;
  }
  bar.volume += quantity;
  bar.quoteVolume += quantity * BigInt(t.price);
  bar.trades += 1;
}

/**
 * Σ price × quantity in tick-lots as an exact decimal string in the quote asset: every digit the tick and lot
 * sizes allow, trailing zeros trimmed down to the quote asset's usual two decimals at least.
 */
export function formatQuoteVolume(pair: PairSpec, tickLots: bigint): string {
  const scale = pair.priceDecimals + pair.quantityDecimals;
  const text = formatScaled(tickLots * pair.tickUnits * pair.lotUnits, scale);
  if (scale <= 2) return text;
  const [whole, fraction = ""] = text.split(".");
  const trimmed = fraction.replace(/0+$/, "").padEnd(2, "0");
  return `${whole}.${trimmed}`;
}

export function presentCandle(pair: PairSpec, bar: CandleBar): Candle {
  return {
    openTime: new Date(bar.openTime).toISOString(),
    open: ticksToPrice(pair, bar.open),
    high: ticksToPrice(pair, bar.high),
    low: ticksToPrice(pair, bar.low),
    close: ticksToPrice(pair, bar.close),
    volume: lotsToQuantity(pair, bar.volume),
    quoteVolume: formatQuoteVolume(pair, bar.quoteVolume),
    trades: bar.trades,
  };
}
