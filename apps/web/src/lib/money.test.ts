import { describe, expect, it } from "vitest";
import { checkAmountInput, formatAmount, formatMoney } from "./money.js";

describe("formatting amounts by asset scale", () => {
  it("shows fiat with two decimals and thousands separators", () => {
    expect(formatAmount("1234567.5", "USD")).toBe("1,234,567.50");
    expect(formatAmount("0", "EUR")).toBe("0.00");
    expect(formatMoney("12.5", "USD")).toBe("12.50 USD");
  });

  it("keeps every significant digit of a crypto amount and trims trailing zeros", () => {
    expect(formatAmount("0.00150000", "BTC")).toBe("0.0015");
    expect(formatAmount("0.000000000000000001", "ETH")).toBe("0.000000000000000001");
    expect(formatAmount("2", "BTC")).toBe("2.00");
  });

  it("never rounds a balance up: digits past the asset's scale are cut", () => {
    expect(formatAmount("1.999", "USD")).toBe("1.99");
  });

  it("stays exact beyond what a JavaScript number can hold", () => {
    expect(formatAmount("123456789012345678901234567890.123456789012345678", "ETH")).toBe(
      "123,456,789,012,345,678,901,234,567,890.123456789012345678",
    );
  });

  it("keeps the sign of a debit and drops it from zero", () => {
    expect(formatAmount("-12.5", "USD")).toBe("-12.50");
    expect(formatAmount("-0.00", "USD")).toBe("0.00");
  });
});

describe("checking an amount the user typed", () => {
  it("accepts a plain decimal and returns the string to send", () => {
    expect(checkAmountInput(" 12.50 ", "USD")).toEqual({ ok: true, value: "12.5" });
    expect(checkAmountInput("0,25", "EUR")).toEqual({ ok: true, value: "0.25" });
    expect(checkAmountInput("007", "USD")).toEqual({ ok: true, value: "7" });
  });

  it("refuses more decimals than the asset has", () => {
    expect(checkAmountInput("1.001", "USD")).toMatchObject({ ok: false });
    expect(checkAmountInput("0.00000001", "BTC")).toEqual({ ok: true, value: "0.00000001" });
    expect(checkAmountInput("0.000000001", "BTC")).toMatchObject({ ok: false });
  });

  it("refuses zero, negatives, exponents and words", () => {
    for (const input of ["", "0", "0.00", "-1", "1e3", "abc", ".", "1.2.3"]) {
      expect(checkAmountInput(input, "USD"), input).toMatchObject({ ok: false });
    }
  });
});
