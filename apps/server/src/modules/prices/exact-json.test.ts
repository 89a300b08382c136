import { describe, expect, it } from "vitest";
import { parseJsonExact, plainDecimal } from "./exact-json.js";

describe("exact JSON numbers", () => {
  it("keeps every digit a price API sends, where JSON.parse would round", () => {
    const text =
      '{"bitcoin":{"usd":67187.123456789012345,"usd_24h_change":-1.2345678901234567,"n":[1,2e3]},"s":"a\\"1.5"}';
    expect(JSON.parse(text).bitcoin.usd).toBe(67187.12345678901);
    expect(parseJsonExact(text)).toEqual({
      bitcoin: { usd: "67187.123456789012345", usd_24h_change: "-1.2345678901234567", n: ["1", "2e3"] },
      s: 'a"1.5',
    });
  });

  it("leaves numbers inside strings and keywords alone", () => {
    expect(parseJsonExact('[true, null, "12.5", 0.1, {"k-1": false}]')).toEqual([
      true,
      null,
      "12.5",
      "0.1",
      { "k-1": false },
    ]);
  });

  it("expands exponents exactly", () => {
    expect(plainDecimal("1.5e-3")).toBe("0.0015");
    expect(plainDecimal("2E+2")).toBe("200");
    expect(plainDecimal("-12.345e1")).toBe("-123.45");
    expect(plainDecimal("0.000012")).toBe("0.000012");
    expect(plainDecimal("7")).toBe("7");
    expect(() => plainDecimal("1e999")).toThrow();
    expect(() => plainDecimal("abc")).toThrow();
  });
});
