import { ASSET_SCALES, type Asset } from "@softchat/contracts";

/**
 * Where the wallet gets USD values from (KYC limits, AML figures): integer US cents per whole unit of an
 * asset. A fixed table until live prices are plugged in with `setPriceSource`.
 */
export interface PriceSource {
  usdCentsPerUnit(asset: Asset): bigint;
}

/** Fixed rates: BTC $60,000, ETH $3,000, USDT $1, EUR $1.08, SOFT $0.10. */
export const FIXED_RATES: Readonly<Record<Asset, bigint>> = {
  USD: 100n,
  EUR: 108n,
  USDT: 100n,
  BTC: 6_000_000n,
  ETH: 300_000n,
  SOFT: 10n,
};

export const fixedPriceSource: PriceSource = { usdCentsPerUnit: (asset) => FIXED_RATES[asset] };

let source: PriceSource = fixedPriceSource;

/** Replaces the price source for the whole process (the trading module's live prices, or a test's). */
export function setPriceSource(next: PriceSource): void {
  source = next;
}

/**
 * The USD value of `amount` minor units of `asset`, in whole cents, rounded up: a fraction of a cent
 * counts as a cent, so many tiny outflows cannot slip under a limit. Exact integer arithmetic.
 */
export function usdCentsOf(asset: Asset, amount: bigint): bigint {
  const numerator = amount * source.usdCentsPerUnit(asset);
  const divisor = 10n ** BigInt(ASSET_SCALES[asset]);
  return (numerator + divisor - 1n) / divisor;
}

/** Formats US cents as a dollar string ("40.00"). */
export function formatUsd(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}
