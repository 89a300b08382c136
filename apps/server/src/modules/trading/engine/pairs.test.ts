import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../config.js";
import { formatScaled, parseScaled, parseScaledRounded } from "./decimal.js";
import { loadPairs } from "./pair-registry.js";
import {
  definePair,
  feeMinor,
  lotsToBaseMinor,
  lotsToQuantity,
  maxTickLotsFor,
  meetsMinNotional,
  notionalMinor,
  PairValueError,
  priceToTicks,
  quantityToLots,
  ticksToPrice,
} from "./pairs.js";

const defaults = { TRADING_PAIRS: undefined, TRADING_MAKER_FEE_BPS: 100, TRADING_TAKER_FEE_BPS: 100 };
const pairs = loadPairs(defaults);
const btcUsd =
  pairs.get("BTC-USD") ??
  definePair(
    { pairId: "X-Y", tickSize: "1", lotSize: "1", minNotional: "1" },
    { makerFeeBps: 0, takerFeeBps: 0 },
  );

describe("decimal strings", () => {
  it("parse and format exactly, with no float in between", () => {
    expect(parseScaled("12.5", 2)).toBe(1250n);
    expect(parseScaled("1.500", 2)).toBe(150n);
    expect(parseScaled("123456789012345678.123456789012345678", 18)).toBe(
      123456789012345678123456789012345678n,
    );
    expect(formatScaled(1250n, 2)).toBe("12.50");
    expect(formatScaled(-5n, 3)).toBe("-0.005");
    expect(() => parseScaled("0.001", 2)).toThrow(/more than 2 decimal places/);
    expect(() => parseScaled("1e5", 2)).toThrow(/not a decimal/);
  });

  it("round half away from zero only where asked", () => {
    expect(parseScaledRounded("-1.235", 2)).toBe(-124n);
    expect(parseScaledRounded("2.8049", 2)).toBe(280n);
  });
});

describe("trading pairs", () => {
  it("ship BTC-USD, ETH-USD, ETH-BTC and SOFT-USD with 1% fees and a fixed fee in the quote asset", () => {
    expect(pairs.list().map((p) => p.pairId)).toEqual(["BTC-USD", "ETH-USD", "ETH-BTC", "SOFT-USD"]);
    expect(btcUsd).toMatchObject({
      base: "BTC",
      quote: "USD",
      makerFeeBps: 100,
      takerFeeBps: 100,
      fixedFee: 5n,
    });
    expect(pairs.get("ETH-BTC")?.fixedFee).toBe(100n);
  });

  it("convert prices and quantities to ticks and lots and back", () => {
    expect(priceToTicks(btcUsd, "60000.01")).toBe(6_000_001);
    expect(ticksToPrice(btcUsd, 6_000_001)).toBe("60000.01");
    expect(quantityToLots(btcUsd, "0.015")).toBe(1500);
    expect(lotsToQuantity(btcUsd, 1500)).toBe("0.01500");
    expect(lotsToBaseMinor(btcUsd, 1500)).toBe(1_500_000n);
  });

  it("refuse off-tick, off-lot, zero and malformed values instead of rounding them", () => {
    const attempts: Array<() => number> = [
      () => priceToTicks(btcUsd, "60000.001"),
      () => quantityToLots(btcUsd, "0.000015"),
      () => quantityToLots(btcUsd, "0"),
      () => priceToTicks(btcUsd, "1e3"),
      () => priceToTicks(btcUsd, "-5"),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(PairValueError);
    const coarse = definePair(
      { pairId: "SOFT-USD", tickSize: "0.05", lotSize: "10", minNotional: "1" },
      { makerFeeBps: 0, takerFeeBps: 0 },
    );
    expect(priceToTicks(coarse, "1.15")).toBe(23);
    expect(() => priceToTicks(coarse, "1.12")).toThrow(/multiple of 0.05/);
    expect(() => quantityToLots(coarse, "15")).toThrow(/multiple of 10/);
  });

  it("value fills in quote minor units, rounding only where the caller says", () => {
    // 0.00001 BTC at 60000.01 USD is 0.6000001 USD: 60 cents down, 61 up.
    expect(notionalMinor(btcUsd, 6_000_001, 1, "floor")).toBe(60n);
    expect(notionalMinor(btcUsd, 6_000_001, 1, "ceil")).toBe(61n);
    expect(notionalMinor(btcUsd, 6_000_000, 100_000, "floor")).toBe(6_000_000n);
    expect(feeMinor(btcUsd, 6_000_000n, "taker")).toBe(60_005n);
    expect(feeMinor(btcUsd, 1n, "maker")).toBe(6n);
    expect(meetsMinNotional(btcUsd, 6_000_000, 1)).toBe(false);
    expect(meetsMinNotional(btcUsd, 6_000_000, 2)).toBe(true);
  });

  it("turn held quote into the tick-lot bound of a market buy without overspending", () => {
    const bound = maxTickLotsFor(btcUsd, 100_00n);
    // A tick-lot of BTC-USD is 0.01 USD × 0.00001 = 0.0000001 USD: 100 USD buys 10^9 of them.
    expect(bound).toBe(1_000_000_000n);
    const price = 6_000_000;
    const lots = Number(bound / BigInt(price));
    expect(notionalMinor(btcUsd, price, lots, "ceil")).toBeLessThanOrEqual(100_00n);
  });

  it("come from TRADING_PAIRS when set, and a bad definition stops the start", () => {
    const custom = loadPairs({
      ...defaults,
      TRADING_PAIRS: JSON.stringify([
        { pairId: "BTC-EUR", tickSize: "0.5", lotSize: "0.001", minNotional: "5", takerFeeBps: 20 },
      ]),
    });
    expect(custom.get("BTC-EUR")).toMatchObject({ takerFeeBps: 20, makerFeeBps: 100, fixedFee: 5n });
    expect(custom.get("BTC-USD")).toBeUndefined();
    for (const bad of [
      "not json",
      "[]",
      JSON.stringify([{ pairId: "DOGE-USD", tickSize: "1", lotSize: "1", minNotional: "1" }]),
      JSON.stringify([{ pairId: "BTC-USD", tickSize: "0.01", lotSize: "0.000000001", minNotional: "1" }]),
    ]) {
      expect(() => loadPairs({ ...defaults, TRADING_PAIRS: bad })).toThrow(ConfigError);
    }
  });
});
