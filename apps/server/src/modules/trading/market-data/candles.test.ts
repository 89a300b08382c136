import { describe, expect, it } from "vitest";
import { loadPairs } from "../engine/pair-registry.js";
import type { PairSpec } from "../engine/pairs.js";
import { CandleBuilder } from "./candles.js";
import { percentChange, ticker24h } from "./ticker.js";

function pair(id: string): PairSpec {
  const found = loadPairs({
    TRADING_PAIRS: undefined,
    TRADING_MAKER_FEE_BPS: 100,
    TRADING_TAKER_FEE_BPS: 100,
  }).get(id);
  if (!found) throw new Error(`no pair ${id}`);
  return found;
}
const btcUsd = pair("BTC-USD");
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const MIN = 60_000;

describe("candles", () => {
  it("build OHLCV bars per interval from trades, with exact decimal volumes", () => {
    const candles = new CandleBuilder(btcUsd);
    // Prices in ticks of 0.01 USD, quantities in lots of 0.00001 BTC.
    candles.add({ price: 6_000_000, quantity: 10, time: T0 + 1_000 });
    candles.add({ price: 6_010_001, quantity: 3, time: T0 + 20_000 });
    candles.add({ price: 5_990_000, quantity: 7, time: T0 + 59_999 });
    candles.add({ price: 6_000_050, quantity: 1, time: T0 + MIN + 5 });
    expect(candles.candles("1m")).toEqual([
      {
        openTime: "2025-01-01T12:00:00.000Z",
        open: "60000.00",
        high: "60100.01",
        low: "59900.00",
        close: "59900.00",
        volume: "0.00020",
        // 0.0001 × 60000 + 0.00003 × 60100.01 + 0.00007 × 59900 = 6 + 1.8030003 + 4.193
        quoteVolume: "11.9960003",
        trades: 3,
      },
      expect.objectContaining({ openTime: "2025-01-01T12:01:00.000Z", open: "60000.50", trades: 1 }),
    ]);
    const [fiveMinutes] = candles.candles("5m");
    expect(fiveMinutes).toMatchObject({ open: "60000.00", close: "60000.50", high: "60100.01", trades: 4 });
    expect(candles.candles("1h")).toHaveLength(1);
    expect(candles.candles("1d")[0]?.openTime).toBe("2025-01-01T00:00:00.000Z");
  });

  it("a late trade lands in its own bar and only moves open or close if it is the earliest or latest", () => {
    const candles = new CandleBuilder(btcUsd);
    candles.add({ price: 100, quantity: 1, time: T0 + 10_000 });
    candles.add({ price: 300, quantity: 1, time: T0 + 3 * MIN });
    candles.add({ price: 50, quantity: 1, time: T0 + 5_000 });
    candles.add({ price: 200, quantity: 1, time: T0 + MIN + 1 });
    const bars = candles.candles("1m");
    expect(bars.map((b) => [b.openTime.slice(11, 16), b.open, b.close])).toEqual([
      ["12:00", "0.50", "1.00"],
      ["12:01", "2.00", "2.00"],
      ["12:03", "3.00", "3.00"],
    ]);
  });

  it("keep only the newest bars of each series", () => {
    const candles = new CandleBuilder(btcUsd, { maxCandles: 3 });
    for (let i = 0; i < 10; i++) candles.add({ price: 100 + i, quantity: 1, time: T0 + i * MIN });
    expect(candles.candles("1m").map((b) => b.open)).toEqual(["1.07", "1.08", "1.09"]);
    candles.add({ price: 1, quantity: 1, time: T0 });
    expect(candles.candles("1m")).toHaveLength(3);
  });
});

describe("24 h statistics", () => {
  it("report last, change, high, low and volume over the last 24 hours of trades", () => {
    const candles = new CandleBuilder(btcUsd);
    candles.add({ price: 5_000_000, quantity: 100, time: T0 - 25 * 3_600_000 });
    candles.add({ price: 6_000_000, quantity: 100, time: T0 - 23 * 3_600_000 });
    candles.add({ price: 6_300_000, quantity: 50, time: T0 - 3_600_000 });
    candles.add({ price: 5_700_000, quantity: 50, time: T0 - 60_000 });
    candles.add({ price: 6_123_456, quantity: 1, time: T0 });
    expect(ticker24h(btcUsd, candles.bars("1m"), T0 + 1_000)).toEqual({
      pairId: "BTC-USD",
      last: "61234.56",
      open: "60000.00",
      high: "63000.00",
      low: "57000.00",
      change: "1234.56",
      changePercent: "2.06",
      volume: "0.00201",
      quoteVolume: "120.6123456",
      trades: 4,
    });
  });

  it("keep the last price but no window figures when nothing traded in 24 hours", () => {
    const candles = new CandleBuilder(btcUsd);
    candles.add({ price: 5_000_000, quantity: 1, time: T0 - 30 * 3_600_000 });
    expect(ticker24h(btcUsd, candles.bars("1m"), T0)).toMatchObject({
      last: "50000.00",
      open: null,
      change: null,
      changePercent: null,
      volume: "0.00000",
      trades: 0,
    });
  });

  it("compute percentages exactly, rounding half away from zero", () => {
    expect(percentChange(3n, 4n)).toBe("33.33");
    expect(percentChange(3n, 2n)).toBe("-33.33");
    expect(percentChange(8n, 7n)).toBe("-12.50");
    expect(percentChange(200_000n, 200_001n)).toBe("0.00");
    expect(percentChange(200_000n, 199_999n)).toBe("0.00");
    expect(percentChange(1600n, 1601n)).toBe("0.06");
  });
});
