import {
  ASSET_SCALES,
  type Asset,
  formatMinorUnits,
  isAsset,
  MAX_AMOUNT_MINOR,
  parseMinorUnits,
} from "@softchat/contracts";
import { AppError } from "../../platform/http/errors.js";

export { ASSETS, type Asset } from "@softchat/contracts";

/** The asset a client named, or 400 `unknown_asset`. */
export function parseAsset(code: string): Asset {
  const upper = code.trim().toUpperCase();
  if (!isAsset(upper)) {
    throw new AppError("unknown_asset", `Unknown asset "${code.slice(0, 20)}"`, {
      supported: Object.keys(ASSET_SCALES),
    });
  }
  return upper;
}

export function scaleOf(asset: Asset): number {
  return ASSET_SCALES[asset];
}

const PROBLEMS = {
  not_a_number: 'must be a decimal string such as "12.50"',
  not_positive: "must be greater than zero",
  too_precise: "has more decimal places than the asset allows",
  too_large: "is larger than any amount Softchat accepts",
} as const;

/**
 * Parses a decimal string into minor units of `asset` ("12.50" USD is 1250n), exactly. Zero, negative,
 * non-numeric, over-precise ("0.001" USD) or huge (over 10^30 minor units) amounts are 400 `invalid_amount`.
 */
export function parseAmount(asset: Asset, value: string, field = "body.amount"): bigint {
  const parsed = parseMinorUnits(value, ASSET_SCALES[asset]);
  if (typeof parsed === "bigint") return parsed;
  const message = `The amount ${PROBLEMS[parsed]}`;
  throw new AppError("invalid_amount", message, {
    fields: [{ path: field, message: PROBLEMS[parsed] }],
    scale: ASSET_SCALES[asset],
    max: formatMinorUnits(MAX_AMOUNT_MINOR, ASSET_SCALES[asset]),
  });
}

/** Formats minor units of `asset` as a decimal string with the asset's scale (1250n USD is "12.50"). */
export function formatAmount(asset: Asset, minor: bigint): string {
  return formatMinorUnits(minor, ASSET_SCALES[asset]);
}
