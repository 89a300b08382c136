/**
 * Exact comparison of non-negative decimal strings ("12.50" vs "9.999"), for ordering price levels without
 * ever turning a price into a float.
 */
export function compareDecimal(a: string, b: string): number {
  const [aInt = "", aFrac = ""] = a.split(".");
  const [bInt = "", bFrac = ""] = b.split(".");
  const ai = aInt.replace(/^0+/, "");
  const bi = bInt.replace(/^0+/, "");
  if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const width = Math.max(aFrac.length, bFrac.length);
  const af = aFrac.padEnd(width, "0");
  const bf = bFrac.padEnd(width, "0");
  if (af === bf) return 0;
  return af < bf ? -1 : 1;
}

/** True for "0", "0.000", "" and the like. */
export function isZeroDecimal(value: string): boolean {
  return !/[1-9]/.test(value);
}
