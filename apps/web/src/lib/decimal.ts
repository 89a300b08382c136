/**
 * Exact arithmetic on non-negative decimal strings for the trading screens (fee previews, step checks,
 * depth bars): values become bigint units at a chosen scale, never JavaScript numbers.
 */

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** True for a plain non-negative decimal string ("12", "0.5"). */
export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** Digits after the point ("0.010" -> 3). */
export function scaleOfDecimal(value: string): number {
  return DECIMAL.exec(value)?.[2]?.length ?? 0;
}

/** `value` in units of 10^-scale, truncated ("12.345", 2 -> 1234n). Throws on a non-decimal. */
export function toUnits(value: string, scale: number): bigint {
  const match = DECIMAL.exec(value);
  if (!match) throw new Error(`not a decimal: ${value}`);
  const fraction = (match[2] ?? "").slice(0, scale).padEnd(scale, "0");
  return BigInt(`${match[1]}${fraction}`);
}

/** Units of 10^-scale back to a decimal string with exactly `scale` digits (1234n, 2 -> "12.34"). */
export function fromUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${fraction}` : ""}`;
}

/** a × b at `scale` digits, rounded up: previews of what will be paid never come out short. */
export function mulUp(a: string, b: string, scale: number): string {
  const sa = scaleOfDecimal(a);
  const sb = scaleOfDecimal(b);
  const product = toUnits(a, sa) * toUnits(b, sb);
  const shift = sa + sb - scale;
  if (shift <= 0) return fromUnits(product * 10n ** BigInt(-shift), scale);
  const divisor = 10n ** BigInt(shift);
  return fromUnits((product + divisor - 1n) / divisor, scale);
}

/** a + b at `scale` digits. */
export function add(a: string, b: string, scale: number): string {
  return fromUnits(toUnits(a, scale) + toUnits(b, scale), scale);
}

/** True when `value` is a whole multiple of `step` ("0.30" of "0.01": yes; "0.305" of "0.01": no). */
export function isMultipleOf(value: string, step: string): boolean {
  const scale = Math.max(scaleOfDecimal(value), scaleOfDecimal(step));
  const unit = toUnits(step, scale);
  return unit > 0n && toUnits(value, scale) % unit === 0n;
}

/** value / max in whole percent (0..100), for drawing depth bars. */
export function percentOf(value: string, max: string): number {
  const scale = Math.max(scaleOfDecimal(value), scaleOfDecimal(max));
  const whole = toUnits(max, scale);
  if (whole === 0n) return 0;
  return Number((toUnits(value, scale) * 100n) / whole);
}
