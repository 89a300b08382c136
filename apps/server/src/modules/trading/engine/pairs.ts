import { ASSET_SCALES, type Asset, isAsset } from "@softchat/contracts";
import { z } from "zod";
import { ceilDiv, DecimalError, formatScaled, fractionDigits, parseScaled, pow10 } from "./decimal.js";

/**
 * A trading pair's rules with everything the engine and the pipeline derive from them. Inside the engine a
 * price is an integer number of ticks and a quantity an integer number of lots; these helpers are the only
 * way between those and decimal strings or ledger minor units, and they refuse values off the grid rather
 * than round them.
 */
export interface PairSpec {
  pairId: string;
  base: Asset;
  quote: Asset;
  tickSize: string;
  lotSize: string;
  minNotional: string;
  makerFeeBps: number;
  takerFeeBps: number;
  /** Fixed fee per fill, in quote minor units. */
  fixedFee: bigint;
  /** Decimal places of a price: those of the tick size. */
  priceDecimals: number;
  /** The tick size in 10^-priceDecimals units ("0.05" → 5n). */
  tickUnits: bigint;
  quantityDecimals: number;
  lotUnits: bigint;
  minNotionalMinor: bigint;
}

/** Input shape of a pair, as in TRADING_PAIRS. */
export const pairDefinitionSchema = z.object({
  pairId: z.string().regex(/^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/),
  tickSize: z.string(),
  lotSize: z.string(),
  minNotional: z.string(),
  makerFeeBps: z.number().int().min(0).max(10_000).optional(),
  takerFeeBps: z.number().int().min(0).max(10_000).optional(),
  /** Fixed fee per fill in the quote asset; default 0.05 for USD, EUR and USDT quotes, 0 otherwise. */
  fixedFee: z.string().optional(),
});
export type PairDefinition = z.infer<typeof pairDefinitionSchema>;

/** The pairs a fresh deployment trades. The fixed fee of ETH-BTC (0.000001 BTC) is about 0.06 USD. */
export const DEFAULT_PAIRS: readonly PairDefinition[] = [
  { pairId: "BTC-USD", tickSize: "0.01", lotSize: "0.00001", minNotional: "1.00", fixedFee: "0.05" },
  { pairId: "ETH-USD", tickSize: "0.01", lotSize: "0.0001", minNotional: "1.00", fixedFee: "0.05" },
  { pairId: "ETH-BTC", tickSize: "0.000001", lotSize: "0.0001", minNotional: "0.0001", fixedFee: "0.000001" },
  { pairId: "SOFT-USD", tickSize: "0.0001", lotSize: "1", minNotional: "1.00", fixedFee: "0.05" },
];

const FIAT_LIKE: ReadonlySet<Asset> = new Set<Asset>(["USD", "EUR", "USDT"]);

/** A value that does not fit a pair's grid or limits; `field` names the order field at fault. */
export class PairValueError extends Error {
  constructor(
    readonly field: "price" | "quantity" | "pair",
    message: string,
  ) {
    super(message);
  }
}

/** Validates a pair definition and derives its integer units. Throws with a message naming the problem. */
export function definePair(
  def: PairDefinition,
  defaults: { makerFeeBps: number; takerFeeBps: number },
): PairSpec {
  const parsed = pairDefinitionSchema.parse(def);
  const [base, quote] = parsed.pairId.split("-") as [string, string];
  if (!isAsset(base) || !isAsset(quote)) throw new Error(`${parsed.pairId}: unknown asset`);
  if (base === quote) throw new Error(`${parsed.pairId}: base and quote must differ`);
  const priceDecimals = fractionDigits(parsed.tickSize);
  const tickUnits = parseScaled(parsed.tickSize, priceDecimals);
  const quantityDecimals = fractionDigits(parsed.lotSize);
  const lotUnits = parseScaled(parsed.lotSize, quantityDecimals);
  if (tickUnits <= 0n || lotUnits <= 0n)
    throw new Error(`${parsed.pairId}: tick and lot sizes must be positive`);
  if (quantityDecimals > ASSET_SCALES[base]) {
    throw new Error(`${parsed.pairId}: lot size is finer than ${base}'s ${ASSET_SCALES[base]} decimals`);
  }
  const fixedFee = parseScaled(parsed.fixedFee ?? (FIAT_LIKE.has(quote) ? "0.05" : "0"), ASSET_SCALES[quote]);
  return {
    pairId: parsed.pairId,
    base,
    quote,
    tickSize: parsed.tickSize,
    lotSize: parsed.lotSize,
    minNotional: parsed.minNotional,
    makerFeeBps: parsed.makerFeeBps ?? defaults.makerFeeBps,
    takerFeeBps: parsed.takerFeeBps ?? defaults.takerFeeBps,
    fixedFee,
    priceDecimals,
    tickUnits,
    quantityDecimals,
    lotUnits,
    minNotionalMinor: parseScaled(parsed.minNotional, ASSET_SCALES[quote]),
  };
}

/** Parses a decimal price into ticks. Throws PairValueError when it is malformed, not positive or off-tick. */
export function priceToTicks(pair: PairSpec, price: string): number {
  return toGrid("price", price, pair.priceDecimals, pair.tickUnits, pair.tickSize);
}

/** Parses a decimal quantity into lots. Throws PairValueError when it is malformed, not positive or off-lot. */
export function quantityToLots(pair: PairSpec, quantity: string): number {
  return toGrid("quantity", quantity, pair.quantityDecimals, pair.lotUnits, pair.lotSize);
}

function toGrid(
  field: "price" | "quantity",
  value: string,
  decimals: number,
  step: bigint,
  stepText: string,
): number {
  let units: bigint;
  try {
    units = parseScaled(value, decimals);
  } catch (err) {
    if (err instanceof DecimalError)
      throw new PairValueError(field, `${field} must be a multiple of ${stepText}`);
    throw err;
  }
  if (units <= 0n) throw new PairValueError(field, `${field} must be positive`);
  if (units % step !== 0n) throw new PairValueError(field, `${field} must be a multiple of ${stepText}`);
  const count = units / step;
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) throw new PairValueError(field, `${field} is too large`);
  return Number(count);
}

/** A price in ticks as a decimal string with the pair's price decimals. */
export function ticksToPrice(pair: PairSpec, ticks: number | bigint): string {
  return formatScaled(BigInt(ticks) * pair.tickUnits, pair.priceDecimals);
}

/** A quantity in lots as a decimal string with the pair's quantity decimals. */
export function lotsToQuantity(pair: PairSpec, lots: number | bigint): string {
  return formatScaled(BigInt(lots) * pair.lotUnits, pair.quantityDecimals);
}

/** Base minor units of `lots` (exact: a lot is always a whole number of base minor units). */
export function lotsToBaseMinor(pair: PairSpec, lots: number | bigint): bigint {
  return BigInt(lots) * pair.lotUnits * pow10(ASSET_SCALES[pair.base] - pair.quantityDecimals);
}

/**
 * Quote minor units of `tickLots` (Σ price ticks × lots). The exact value can fall between two minor units
 * (a cent has no room for 0.01 USD × 0.00001 BTC), so the caller picks the side: the pipeline charges a
 * buyer `ceil` and credits a seller `floor`, and the sub-unit difference goes to the fee account.
 */
export function tickLotsToQuoteMinor(pair: PairSpec, tickLots: bigint, rounding: "floor" | "ceil"): bigint {
  const numerator = tickLots * pair.tickUnits * pair.lotUnits * pow10(ASSET_SCALES[pair.quote]);
  const divisor = pow10(pair.priceDecimals + pair.quantityDecimals);
  return rounding === "floor" ? numerator / divisor : ceilDiv(numerator, divisor);
}

/** Quote minor units of one fill of `lots` at `ticks`. */
export function notionalMinor(
  pair: PairSpec,
  ticks: number,
  lots: number,
  rounding: "floor" | "ceil",
): bigint {
  return tickLotsToQuoteMinor(pair, BigInt(ticks) * BigInt(lots), rounding);
}

/** The largest tick-lot amount `quoteMinor` pays for: the `maxQuote` of a market buy holding that much. */
export function maxTickLotsFor(pair: PairSpec, quoteMinor: bigint): bigint {
  const perTickLot = pair.tickUnits * pair.lotUnits * pow10(ASSET_SCALES[pair.quote]);
  return (quoteMinor * pow10(pair.priceDecimals + pair.quantityDecimals)) / perTickLot;
}

/** The fee of a fill worth `notional` quote minor units: its percentage rounded up, plus the fixed fee. */
export function feeMinor(pair: PairSpec, notional: bigint, role: "maker" | "taker"): bigint {
  const bps = BigInt(role === "maker" ? pair.makerFeeBps : pair.takerFeeBps);
  return ceilDiv(notional * bps, 10_000n) + pair.fixedFee;
}

/** Whether an order of `lots` at `ticks` is worth at least the pair's minimum notional. */
export function meetsMinNotional(pair: PairSpec, ticks: number, lots: number): boolean {
  return notionalMinor(pair, ticks, lots, "floor") >= pair.minNotionalMinor;
}
