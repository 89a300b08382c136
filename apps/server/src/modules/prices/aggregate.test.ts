import { describe, expect, it } from "vitest";
import { aggregateQuotes, median } from "./aggregate.js";
import type { SourceQuote } from "./sources/types.js";

const NOW = 1_000_000_000;
const rules = { now: NOW, maxAgeMs: 60_000, maxDeviationBps: 200, minSources: 2 };
const q = (source: string, price: bigint, ageMs = 0, change24h: bigint | null = null): SourceQuote => ({
  source,
  symbol: "BTC",
  price,
  change24h,
  at: NOW - ageMs,
});

describe("price aggregation", () => {
  it("publishes the median of fresh sources", () => {
    expect(aggregateQuotes([q("a", 100_000n), q("b", 101_000n), q("c", 100_500n)], rules)).toEqual({
      price: 100_500n,
      change24h: null,
      sources: ["a", "b", "c"],
    });
    expect(aggregateQuotes([q("a", 100_000n), q("b", 101_001n)], rules)?.price).toBe(100_500n);
  });

  it("drops a source more than 2% from the median", () => {
    const result = aggregateQuotes([q("a", 100_000n), q("b", 100_400n), q("c", 102_600n)], rules);
    expect(result).toEqual({ price: 100_200n, change24h: null, sources: ["a", "b"] });
    // Exactly 2% away is still in agreement.
    expect(
      aggregateQuotes([q("a", 100_000n), q("b", 100_000n), q("c", 102_000n)], rules)?.sources,
    ).toHaveLength(3);
  });

  it("ignores quotes older than 60 s, and with fewer than two fresh sources gives no consensus", () => {
    expect(aggregateQuotes([q("a", 100_000n), q("b", 100_100n, 60_001)], rules)).toBeNull();
    expect(aggregateQuotes([q("a", 100_000n), q("b", 100_100n, 60_000)], rules)?.sources).toEqual(["a", "b"]);
    expect(aggregateQuotes([], rules)).toBeNull();
  });

  it("gives no consensus when two sources disagree by more than 4%", () => {
    expect(aggregateQuotes([q("a", 100_000n), q("b", 105_000n)], rules)).toBeNull();
  });

  it("a single configured source is enough when the caller asks for one", () => {
    expect(aggregateQuotes([q("only", 123n, 0, -45n)], { ...rules, minSources: 1 })).toEqual({
      price: 123n,
      change24h: -45n,
      sources: ["only"],
    });
  });

  it("takes the median 24 h change of the agreeing sources that report one", () => {
    const result = aggregateQuotes([q("a", 100n, 0, 10n), q("b", 100n, 0, 30n), q("c", 100n)], rules);
    expect(result?.change24h).toBe(20n);
  });

  it("computes medians exactly on big integers", () => {
    expect(median([3n, 1n, 2n])).toBe(2n);
    expect(median([10n ** 30n, 10n ** 30n + 2n])).toBe(10n ** 30n + 1n);
  });
});
