import { ASSET_SCALES, ASSETS, isAsset } from "@softchat/contracts";

/**
 * Amounts are decimal strings on the wire ("12.50") and stay strings here: parsing them into JS numbers
 * would round anything past 2^53 minor units or 15-17 significant digits. Formatting is string work only.
 */

/** The assets the wallet screens offer, in display order. */
export const WALLET_ASSETS: readonly string[] = ASSETS;

const FIAT_DIGITS = 2;

/** The asset's scale, or undefined when the app does not know the asset. */
export function scaleOf(asset: string): number | undefined {
  const code = asset.toUpperCase();
  return isAsset(code) ? ASSET_SCALES[code] : undefined;
}

function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Formats a decimal string for display: thousands separators, at least two decimals, trailing zeros beyond
 * that trimmed, never more decimals than the asset's scale (extra digits are cut, not rounded, so a balance
 * is never shown larger than it is). `"1234567.5"` USD -> `"1,234,567.50"`; `"0.00150000"` BTC -> `"0.0015"`.
 */
export function formatAmount(value: string, asset: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return value;
  const [, sign = "", integer = "0", fraction = ""] = match;
  const scale = scaleOf(asset) ?? Math.max(fraction.length, FIAT_DIGITS);
  const minDigits = Math.min(FIAT_DIGITS, scale);
  let digits = fraction.slice(0, scale).replace(/0+$/, "");
  if (digits.length < minDigits) digits = digits.padEnd(minDigits, "0");
  const whole = groupThousands(integer.replace(/^0+(?=\d)/, ""));
  const isZero = /^0*$/.test(integer) && /^0*$/.test(digits);
  return `${sign && !isZero ? "-" : ""}${whole}${digits ? `.${digits}` : ""}`;
}

/** `formatAmount` with the asset code: `"12.50 USD"`. */
export function formatMoney(value: string, asset: string): string {
  return `${formatAmount(value, asset)} ${asset}`;
}

export type AmountCheck = { ok: true; value: string } | { ok: false; message: string };

/**
 * Checks what a user typed as an amount of `asset`: digits with an optional decimal point (a comma is
 * accepted as the point), more than zero, no more decimals than the asset allows. Returns the canonical
 * decimal string to send ("1,5" -> "1.5").
 */
export function checkAmountInput(input: string, asset: string): AmountCheck {
  const text = input.trim().replace(",", ".");
  if (text === "") return { ok: false, message: "Enter an amount" };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || text === ".") return { ok: false, message: "Use digits and one decimal point, e.g. 12.50" };
  const integer = (match[1] ?? "").replace(/^0+(?=\d)/, "") || "0";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  const scale = scaleOf(asset);
  if (scale !== undefined && fraction.length > scale) {
    return { ok: false, message: `${asset} allows at most ${scale} decimal places` };
  }
  if (/^0+$/.test(integer) && fraction === "")
    return { ok: false, message: "The amount must be more than zero" };
  if (integer.length > 30) return { ok: false, message: "That amount is too large" };
  return { ok: true, value: fraction ? `${integer}.${fraction}` : integer };
}

/** True when the decimal string is exactly zero ("0", "0.00"). */
export function isZeroAmount(value: string): boolean {
  return /^0*(\.0*)?$/.test(value.trim());
}
