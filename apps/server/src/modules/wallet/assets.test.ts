import { describe, expect, it } from "vitest";
import { formatAmount, parseAmount, parseAsset } from "./assets.js";
import { formatUsd, usdCentsOf } from "./pricing.js";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return "no error";
};

describe("amounts and assets", () => {
  it("parses decimal strings into exact minor units for each asset's scale", () => {
    expect(parseAmount("USD", "12.50")).toBe(1250n);
    expect(parseAmount("USD", "12.5")).toBe(1250n);
    expect(parseAmount("USD", "7")).toBe(700n);
    expect(parseAmount("USD", "1.500")).toBe(150n);
    expect(parseAmount("BTC", "0.00000001")).toBe(1n);
    expect(parseAmount("ETH", "1.000000000000000001")).toBe(1_000_000_000_000_000_001n);
    expect(parseAmount("SOFT", "123456789.123456")).toBe(123_456_789_123_456n);
    expect(parseAmount("USD", `1${"0".repeat(28)}`)).toBe(10n ** 30n);
  });

  it("refuses zero, over-precise, malformed and huge amounts as invalid_amount", () => {
    for (const bad of ["0", "0.00", "0.001", "1.005", "abc", "-1", "1e3", "", " 1", `1${"0".repeat(29)}`]) {
      expect(
        codeOf(() => parseAmount("USD", bad)),
        bad,
      ).toBe("invalid_amount");
    }
    expect(codeOf(() => parseAmount("BTC", "0.000000001"))).toBe("invalid_amount");
  });

  it("formats minor units with exactly the asset's scale", () => {
    expect(formatAmount("USD", 1250n)).toBe("12.50");
    expect(formatAmount("USD", 5n)).toBe("0.05");
    expect(formatAmount("BTC", 1n)).toBe("0.00000001");
    expect(formatAmount("ETH", 0n)).toBe("0.000000000000000000");
    expect(formatAmount("USD", -1250n)).toBe("-12.50");
  });

  it("knows the assets by code, any case, and refuses others as unknown_asset", () => {
    expect(parseAsset("usdt")).toBe("USDT");
    expect(codeOf(() => parseAsset("DOGE"))).toBe("unknown_asset");
    expect(codeOf(() => parseAsset("__proto__"))).toBe("unknown_asset");
  });

  it("values amounts in whole US cents, rounding a fraction of a cent up", () => {
    expect(usdCentsOf("USD", 1250n)).toBe(1250n);
    expect(usdCentsOf("BTC", 100_000n)).toBe(6_000n); // 0.001 BTC at $60,000
    expect(usdCentsOf("EUR", 3_700n)).toBe(3_996n); // 37 EUR at $1.08
    expect(usdCentsOf("BTC", 1n)).toBe(1n); // a satoshi is 0.06 cents: counts as one
    expect(usdCentsOf("ETH", 10n ** 18n)).toBe(300_000n);
    expect(formatUsd(4n)).toBe("0.04");
    expect(formatUsd(100_000n)).toBe("1000.00");
  });
});
