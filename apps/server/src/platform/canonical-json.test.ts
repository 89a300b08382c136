import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";

/**
 * The plain definition, as the audit chain first hashed its rows: sealed rows must still verify. Keys are
 * sorted as strings throughout ("" < "0" < "10" < "9" < "a"), which an object rebuilt from sorted entries
 * would not keep: JavaScript puts integer-like keys first, in numeric order.
 */
function reference(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(",")}}`;
}

describe("canonicalJson", () => {
  it("writes any JSON value as the audit chain has always hashed it, and reads back as the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same text whatever order the keys were written in", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });

  it("sorts integer-like keys as strings", () => {
    expect(canonicalJson({ b: 1, 10: 2, 9: 3, "": 4, a: { 1: true, 0: false } })).toBe(
      '{"":4,"10":2,"9":3,"a":{"0":false,"1":true},"b":1}',
    );
  });

  it("follows JSON.stringify on undefined, non-finite numbers, dates and toJSON", () => {
    const at = new Date("2026-11-27T08:00:00.123Z");
    const value = {
      z: undefined,
      list: [undefined, Number.NaN, -0, 1e21, () => 1],
      at,
      money: { toJSON: () => "12.50" },
      é: 'ü\u2028"\\',
      nested: { b: 1, a: { d: null, c: true } },
    };
    expect(canonicalJson(value)).toBe(
      '{"at":"2026-11-27T08:00:00.123Z","list":[null,null,0,1e+21,null],"money":"12.50",' +
        '"nested":{"a":{"c":true,"d":null},"b":1},"é":"ü\u2028\\"\\\\"}',
    );
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("refuses a bigint rather than writing a number JSON cannot hold exactly", () => {
    expect(() => canonicalJson({ amount: 10n })).toThrow(TypeError);
  });
});
