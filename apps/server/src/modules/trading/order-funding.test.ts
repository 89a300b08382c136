import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { definePair, lotsToBaseMinor } from "./engine/pairs.js";
import { chargeFills, type FillTotals, type FundedOrder, orderHold } from "./order-funding.js";

const fees = { makerFeeBps: 100, takerFeeBps: 100 };
const btcUsd = definePair(
  { pairId: "BTC-USD", tickSize: "0.01", lotSize: "0.00001", minNotional: "1.00", fixedFee: "0.05" },
  fees,
);
// Sub-cent notionals on every fill: the rounding the cumulative charging must keep from adding up.
const softUsd = definePair(
  {
    pairId: "SOFT-USD",
    tickSize: "0.0001",
    lotSize: "1",
    minNotional: "0.01",
    fixedFee: "0.05",
    makerFeeBps: 10,
  },
  fees,
);

interface Fill {
  ticks: number;
  lots: number;
  role: "maker" | "taker";
}

/** Charges fills batch by batch the way settlement does; returns every charge. */
function chargeAll(pair: typeof btcUsd, order: FundedOrder, batches: Fill[][]) {
  let totals: FillTotals = { takerTickLots: 0n, makerTickLots: 0n, fills: 0 };
  const state = { ...order };
  const charges = [];
  for (const batch of batches) {
    const after = { ...totals };
    let lots = 0;
    for (const f of batch) {
      const tickLots = BigInt(f.ticks) * BigInt(f.lots);
      if (f.role === "maker") after.makerTickLots += tickLots;
      else after.takerTickLots += tickLots;
      after.fills += 1;
      lots += f.lots;
    }
    const charge = chargeFills(pair, state, totals, after, lots);
    state.pctFee += charge.pctFee;
    state.fixedFee += charge.fixedFee;
    charges.push(charge);
    totals = after;
  }
  return charges;
}

describe("order funding", () => {
  it("a taker buy of 0.001 BTC at 60,000 pays 60.00 plus 1% and the fixed fee; the maker seller gets 59.35", () => {
    const hold = orderHold(btcUsd, "buy", 6_000_000, 100);
    expect(hold).toEqual({ asset: "USD", amount: 6000n + 60n + 3n + 50n });
    const buy: FundedOrder = {
      side: "buy",
      boundTicks: 6_000_000,
      quantityLots: 100,
      holdTotal: hold.amount,
      pctFee: 0n,
      fixedFee: 0n,
    };
    const before = { takerTickLots: 0n, makerTickLots: 0n, fills: 0 };
    const bought = chargeFills(
      btcUsd,
      buy,
      before,
      { ...before, takerTickLots: 600_000_000n, fills: 1 },
      100,
    );
    expect(bought).toEqual({ consumed: 6065n, quote: 6065n, pctFee: 60n, fixedFee: 5n });
    const sell = { ...buy, side: "sell" as const, holdTotal: lotsToBaseMinor(btcUsd, 100) };
    const sold = chargeFills(btcUsd, sell, before, { ...before, makerTickLots: 600_000_000n, fills: 1 }, 100);
    expect(sold).toEqual({ consumed: 100_000n, quote: 5935n, pctFee: 60n, fixedFee: 5n });
  });

  it("whatever its fills, a buy never takes more than its hold, and a sell never pays out a negative amount", () => {
    const fill = (limit: number) =>
      fc.record({
        ticks: fc.integer({ min: 1, max: limit }),
        lots: fc.integer({ min: 1, max: 50 }),
        role: fc.constantFrom("maker" as const, "taker" as const),
      });
    const scenario = fc
      .integer({ min: 1, max: 20_000 })
      .chain((limit) =>
        fc.tuple(
          fc.constant(limit),
          fc.array(fc.array(fill(limit), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 30 }),
        ),
      );
    fc.assert(
      fc.property(fc.constantFrom(btcUsd, softUsd), scenario, (pair, [limit, batches]) => {
        const quantity = batches.flat().reduce((n, f) => n + f.lots, 0);
        const hold = orderHold(pair, "buy", limit, quantity);
        const buy: FundedOrder = {
          side: "buy",
          boundTicks: limit,
          quantityLots: quantity,
          holdTotal: hold.amount,
          pctFee: 0n,
          fixedFee: 0n,
        };
        const consumed = chargeAll(pair, buy, batches).reduce((n, c) => n + c.consumed, 0n);
        expect(consumed).toBeLessThanOrEqual(hold.amount);
        const sell: FundedOrder = { ...buy, side: "sell", holdTotal: lotsToBaseMinor(pair, quantity) };
        for (const c of chargeAll(pair, sell, batches)) {
          expect(c.quote).toBeGreaterThanOrEqual(0n);
          expect(c.pctFee).toBeGreaterThanOrEqual(0n);
          expect(c.fixedFee).toBeGreaterThanOrEqual(0n);
        }
      }),
      { numRuns: 300 },
    );
  });
});
