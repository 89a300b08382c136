import { parseScaledRounded } from "../../trading/engine/decimal.js";
import { parseJsonExact, plainDecimal } from "../exact-json.js";
import { PRICE_SCALE } from "./types.js";

/** Thrown when a price source cannot be reached or answers something we cannot read. */
export class PriceSourceError extends Error {}

/** GETs `url` with a timeout and returns its JSON with numbers kept as exact decimal strings. */
export async function getExactJson(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: "application/json", ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new PriceSourceError(`request failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new PriceSourceError(`HTTP ${res.status}`);
  try {
    return parseJsonExact(text);
  } catch {
    throw new PriceSourceError("the reply is not JSON");
  }
}

/**
 * A source's price (a number token or a numeric string) as micro-dollars. Digits beyond micro-dollars are
 * rounded half away from zero: sources quote more precision than the price scale keeps, and this is the
 * published quote, not an amount of money anyone holds.
 */
export function toMicros(value: unknown): bigint | null {
  if (typeof value !== "string") return null;
  try {
    const micros = parseScaledRounded(plainDecimal(value), PRICE_SCALE);
    return micros > 0n ? micros : null;
  } catch {
    return null;
  }
}

/** A percentage (number token or string) as hundredths of a percent, rounded half away from zero. */
export function toPercentHundredths(value: unknown): bigint | null {
  if (typeof value !== "string") return null;
  try {
    return parseScaledRounded(plainDecimal(value), 2);
  } catch {
    return null;
  }
}

/** The object at `key` of a JSON value, or undefined. */
export function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** Joins a base URL and a path without doubling or losing the slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
