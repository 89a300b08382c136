import { ASSET_SCALES, type Asset, formatMinorUnits } from "@softchat/contracts";

/**
 * USD arithmetic of the portfolio, exact: values are whole cents, prices micro-dollars (10^-6 USD per
 * unit, the price service's scale), quantities minor units of their asset. Every rounding is half up.
 */

/** Micro-dollars per whole unit of USD itself. */
export const ONE_USD_MICROS = 1_000_000n;
const MICROS_PER_CENT = 10_000n;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function divideHalfUp(numerator: bigint, divisor: bigint): bigint {
  if (numerator >= 0n) return (numerator * 2n + divisor) / (divisor * 2n);
  return -((-numerator * 2n + divisor) / (divisor * 2n));
}

/** A USD price given as a decimal string ("65000.5") in micro-dollars, digits beyond the sixth rounded. */
export function parsePriceMicros(price: string): bigint {
  const match = DECIMAL.exec(price);
  if (!match) throw new Error(`not a price: ${price}`);
  const fraction = match[2] ?? "";
  const scaled = BigInt(`${match[1]}${fraction.padEnd(6, "0").slice(0, 6)}`);
  const beyond = fraction.slice(6);
  return beyond !== "" && Number(beyond[0]) >= 5 ? scaled + 1n : scaled;
}

/** Cents worth `amount` minor units of `asset` at `priceMicros` per unit. */
export function valueCents(asset: Asset, amount: bigint, priceMicros: bigint): bigint {
  return divideHalfUp(amount * priceMicros, 10n ** BigInt(ASSET_SCALES[asset]) * MICROS_PER_CENT);
}

/** Micro-dollars per unit of `asset` when `quantity` minor units cost `cents`. */
export function unitCostMicros(asset: Asset, cents: bigint, quantity: bigint): bigint {
  return divideHalfUp(cents * MICROS_PER_CENT * 10n ** BigInt(ASSET_SCALES[asset]), quantity);
}

/** Cents as a USD string: "-12.50". */
export function formatCents(cents: bigint): string {
  return formatMinorUnits(cents, 2);
}

/** A per-unit USD price: at least two decimals, up to six when they matter ("0.1234", "65000.00"). */
export function formatUnitPrice(micros: bigint): string {
  const text = formatMinorUnits(micros, 6);
  return text.replace(/(\.\d\d\d*?)0+$/, "$1");
}

/** Minor units of `asset` as a decimal string at its scale. */
export function formatQuantity(asset: Asset, amount: bigint): string {
  return formatMinorUnits(amount, ASSET_SCALES[asset]);
}
