/**
 * Exact conversions between decimal strings on the wire and scaled integers in code. Nothing here goes
 * through a float: the digits are read as text and the integer is built with BigInt.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Thrown when a decimal string is malformed or has more precision than allowed. */
export class DecimalError extends Error {}

/** Number of significant fraction digits of a decimal string ("0.0100" has 2). */
export function fractionDigits(value: string): number {
  const match = DECIMAL.exec(value);
  if (!match) throw new DecimalError(`"${value}" is not a decimal number`);
  return (match[3] ?? "").replace(/0+$/, "").length;
}

/**
 * Parses `value` as an integer count of 10^-scale units ("12.5" at scale 2 is 1250n). Trailing zeros are
 * accepted ("1.500" at scale 2); any non-zero digit beyond `scale` throws, nothing is ever rounded.
 */
export function parseScaled(value: string, scale: number): bigint {
  const match = DECIMAL.exec(value);
  if (!match) throw new DecimalError(`"${value}" is not a decimal number`);
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > scale) {
    throw new DecimalError(`"${value}" has more than ${scale} decimal places`);
  }
  const digits = `${match[2]}${fraction.padEnd(scale, "0")}`;
  const magnitude = BigInt(digits);
  return match[1] ? -magnitude : magnitude;
}

/**
 * Parses a decimal string at `scale`, rounding extra digits half away from zero. Only for figures that are
 * not money (a percentage reported by a price source), where the source has more precision than we show.
 */
export function parseScaledRounded(value: string, scale: number): bigint {
  const match = DECIMAL.exec(value);
  if (!match) throw new DecimalError(`"${value}" is not a decimal number`);
  const fraction = match[3] ?? "";
  const kept = fraction.slice(0, scale).padEnd(scale, "0");
  let magnitude = BigInt(`${match[2]}${kept}`);
  const next = fraction.charCodeAt(scale);
  if (next >= 53 /* "5" */ && next <= 57) magnitude += 1n;
  return match[1] ? -magnitude : magnitude;
}

/** Formats an integer count of 10^-scale units with exactly `scale` fraction digits (1250n, 2 → "12.50"). */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  const sign = negative ? "-" : "";
  return scale === 0 ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Integer division rounding toward positive infinity, for non-negative numerators and positive divisors. */
export function ceilDiv(numerator: bigint, divisor: bigint): bigint {
  return (numerator + divisor - 1n) / divisor;
}

/** Like formatScaled, but trailing zeros beyond `minDecimals` are dropped (60000000000n, 6 → "60000.00"). */
export function formatTrimmed(value: bigint, scale: number, minDecimals = 2): string {
  const text = formatScaled(value, scale);
  if (scale <= minDecimals) return text;
  const [whole, fraction = ""] = text.split(".");
  const kept = fraction.replace(/0+$/, "").padEnd(minDecimals, "0");
  return kept.length === 0 ? `${whole}` : `${whole}.${kept}`;
}
