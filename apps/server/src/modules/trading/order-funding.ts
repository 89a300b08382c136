import { ceilDiv } from "./engine/decimal.js";
import { lotsToBaseMinor, type PairSpec, tickLotsToQuoteMinor } from "./engine/pairs.js";
import type { Side } from "./engine/types.js";

/**
 * What an order holds and what its fills cost, in ledger minor units. Fees are in the quote asset for both
 * sides: a buyer pays them on top of the price from its hold, a seller has them taken from its proceeds.
 *
 * Every figure is cumulative per order (the notional of ALL its fills so far, rounded once), so rounding
 * never adds up fill after fill: a buyer pays `ceil` of its total notional and a seller gets `floor` of
 * its own, and the difference of each batch of fills goes to (or, rarely, comes from) the fee account.
 */

/** Fills whose fixed fee a buy order's hold reserves; a buy filled in more pieces pays it on these only. */
export const FIXED_FEE_FILLS_HELD = 10;

/** Minor units of rounding slack in a buy hold: the percentage fee is rounded up once per role. */
const ROUNDING_ALLOWANCE = 3n;

/** The larger of the pair's fee rates, in basis points: a resting buy may fill as maker or taker. */
function maxFeeBps(pair: PairSpec): bigint {
  return BigInt(Math.max(pair.makerFeeBps, pair.takerFeeBps));
}

/** The most a buy of `lots` at no worse than `priceTicks` can cost before fixed fees: notional + % fee. */
export function buyCostBound(pair: PairSpec, priceTicks: number, lots: number): bigint {
  const notional = tickLotsToQuoteMinor(pair, BigInt(priceTicks) * BigInt(lots), "ceil");
  return notional + ceilDiv(notional * maxFeeBps(pair), 10_000n) + ROUNDING_ALLOWANCE;
}

/**
 * The hold that funds an order. A buy holds its cost at its limit price (a market buy: at its protection
 * price) with the highest fee rate and the fixed fee of up to FIXED_FEE_FILLS_HELD fills; a sell holds the
 * base quantity it offers.
 */
export function orderHold(pair: PairSpec, side: Side, priceTicks: number, lots: number) {
  if (side === "sell") return { asset: pair.base, amount: lotsToBaseMinor(pair, lots) };
  const fixedFills = BigInt(Math.min(lots, FIXED_FEE_FILLS_HELD));
  return { asset: pair.quote, amount: buyCostBound(pair, priceTicks, lots) + pair.fixedFee * fixedFills };
}

/** An order's fills so far, in engine units. */
export interface FillTotals {
  takerTickLots: bigint;
  makerTickLots: bigint;
  fills: number;
}

/** An order as the fee rules need it. */
export interface FundedOrder {
  side: Side;
  /** Limit price, or the protection price of a market buy, in ticks (null for a market sell). */
  boundTicks: number | null;
  quantityLots: number;
  holdTotal: bigint;
  pctFee: bigint;
  fixedFee: bigint;
}

/** What one batch of fills moves for one order. */
export interface FillCharge {
  /** Taken out of the order's hold: quote (price + fees) for a buy, base for a sell. */
  consumed: bigint;
  /** Quote the order pays (buy, fees included) or receives (sell, fees taken off). */
  quote: bigint;
  pctFee: bigint;
  fixedFee: bigint;
}

const rounding = (side: Side) => (side === "buy" ? "ceil" : "floor");

function grossOf(pair: PairSpec, side: Side, t: FillTotals): bigint {
  return tickLotsToQuoteMinor(pair, t.takerTickLots + t.makerTickLots, rounding(side));
}

function pctFeeOf(pair: PairSpec, side: Side, t: FillTotals): bigint {
  const taker = tickLotsToQuoteMinor(pair, t.takerTickLots, rounding(side));
  const maker = tickLotsToQuoteMinor(pair, t.makerTickLots, rounding(side));
  return (
    ceilDiv(taker * BigInt(pair.takerFeeBps), 10_000n) + ceilDiv(maker * BigInt(pair.makerFeeBps), 10_000n)
  );
}

/**
 * The charge of the fills that took an order from `before` to `after` (`lots` of them in this batch).
 * A buy pays the rise of its rounded-up notional, its percentage fee and the fixed fee per fill while its
 * hold's fixed-fee budget lasts; a sell receives the rise of its rounded-down notional less its fees, which
 * never take more than that (what a tiny fill cannot pay is waived).
 */
export function chargeFills(
  pair: PairSpec,
  order: FundedOrder,
  before: FillTotals,
  after: FillTotals,
  lots: number,
): FillCharge {
  const gross = grossOf(pair, order.side, after) - grossOf(pair, order.side, before);
  const pctDue = pctFeeOf(pair, order.side, after) - order.pctFee;
  const fixedDue = pair.fixedFee * BigInt(after.fills - before.fills);
  if (order.side === "buy") {
    const bound = order.boundTicks ?? 0;
    const fixedBudget = order.holdTotal - buyCostBound(pair, bound, order.quantityLots) - order.fixedFee;
    const fixedFee = minBig(fixedDue, maxBig(fixedBudget, 0n));
    const consumed = gross + pctDue + fixedFee;
    return { consumed, quote: consumed, pctFee: pctDue, fixedFee };
  }
  const pctFee = minBig(pctDue, gross);
  const fixedFee = minBig(fixedDue, gross - pctFee);
  return { consumed: lotsToBaseMinor(pair, lots), quote: gross - pctFee - fixedFee, pctFee, fixedFee };
}

const minBig = (a: bigint, b: bigint) => (a < b ? a : b);
const maxBig = (a: bigint, b: bigint) => (a > b ? a : b);
