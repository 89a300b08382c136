import { describe, expect, it } from "vitest";
import { add, fromUnits, isMultipleOf, mulUp, percentOf, toUnits } from "./decimal.js";

describe("exact decimal helpers for trading", () => {
  it("converts between decimal strings and units without floats", () => {
    expect(toUnits("12.345", 2)).toBe(1234n);
    expect(fromUnits(1234n, 2)).toBe("12.34");
    expect(fromUnits(5n, 8)).toBe("0.00000005");
    expect(toUnits("123456789012345678901234567890", 0)).toBe(123456789012345678901234567890n);
  });

  it("rounds a fee preview up, never down", () => {
    // 0.001 BTC at 65,000.01 USD = 65.00001 USD -> 65.01 at cents.
    expect(mulUp("0.001", "65000.01", 2)).toBe("65.01");
    expect(mulUp("2", "1.5", 2)).toBe("3.00");
    expect(add("0.10", "65.01", 2)).toBe("65.11");
  });

  it("checks tick and lot sizes exactly", () => {
    expect(isMultipleOf("0.30", "0.01")).toBe(true);
    expect(isMultipleOf("0.3", "0.1")).toBe(true);
    expect(isMultipleOf("0.305", "0.01")).toBe(false);
    expect(isMultipleOf("5", "0")).toBe(false);
  });

  it("sizes depth bars in whole percent", () => {
    expect(percentOf("1.5", "3")).toBe(50);
    expect(percentOf("0", "0")).toBe(0);
  });
});
