import type { TradingPair } from "@softchat/contracts";
import { describe, expect, it } from "vitest";
import { previewOrder } from "./order-math.js";

const BTC_USD: TradingPair = {
  pairId: "BTC-USD",
  symbol: "BTC/USD",
  baseAsset: "BTC",
  quoteAsset: "USD",
  tickSize: "0.01",
  lotSize: "0.0001",
  minNotional: "1.00",
  makerFeeBps: 10,
  takerFeeBps: 20,
  fixedFee: "0.00",
  lastPrice: "65000.00",
  change24h: "1.25",
};

describe("previewing an order before it is sent", () => {
  it("prices a limit buy with the taker fee as the most it can cost", () => {
    const p = previewOrder(
      BTC_USD,
      { side: "buy", type: "limit", price: "65000.00", quantity: "0.0015" },
      null,
    );
    expect(p.errors).toEqual({});
    expect(p.notional).toBe("97.50");
    expect(p.maxFee).toBe("0.20"); // 0.195 rounded up
    expect(p.total).toBe("97.70");
  });

  it("refuses prices off the tick, quantities off the lot, and orders worth too little", () => {
    expect(
      previewOrder(BTC_USD, { side: "buy", type: "limit", price: "65000.005", quantity: "0.001" }, null)
        .errors.price,
    ).toMatch(/steps of 0.01/);
    expect(
      previewOrder(BTC_USD, { side: "sell", type: "limit", price: "65000", quantity: "0.00015" }, null).errors
        .quantity,
    ).toMatch(/steps of 0.0001/);
    expect(
      previewOrder(BTC_USD, { side: "sell", type: "limit", price: "1", quantity: "0.0001" }, null).errors
        .quantity,
    ).toMatch(/at least 1.00/);
  });

  it("estimates a market order from the best price in the book", () => {
    const p = previewOrder(
      BTC_USD,
      { side: "sell", type: "market", price: "", quantity: "0.01" },
      "64000.00",
    );
    expect(p).toMatchObject({ notional: "640.00", estimated: true, total: null });
  });
});
