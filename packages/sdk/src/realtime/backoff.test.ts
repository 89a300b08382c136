import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";

describe("reconnect backoff", () => {
  it("doubles from 1 s and stops growing at 30 s", () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 10, 100].map((n) => backoffCeiling(n));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it("draws every delay within [0, ceiling) whatever the attempt and the random source", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(backoffCeiling(attempt));
        expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
      }),
    );
  });

  it("spreads retries over the whole window (full jitter), not around a fixed point", () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3));
    const ceiling = backoffCeiling(3);
    const quarters = [0, 0, 0, 0];
    for (const d of delays)
      quarters[Math.floor((d / ceiling) * 4)] = (quarters[Math.floor((d / ceiling) * 4)] ?? 0) + 1;
    // Uniform over [0, 8 s): each quarter holds about 500 of 2,000 draws.
    for (const count of quarters) expect(count).toBeGreaterThan(350);
    expect(Math.min(...delays)).toBeLessThan(ceiling * 0.05);
    expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.95);
  });

  it("honours a custom policy and treats odd attempt numbers as the first retry", () => {
    const policy = { baseMs: 50, maxMs: 400 };
    expect(backoffDelay(0, policy, () => 0.999)).toBe(49);
    expect(backoffDelay(20, policy, () => 0.5)).toBe(200);
    expect(backoffCeiling(-3, policy)).toBe(50);
    expect(backoffDelay(2, policy, () => 1)).toBeLessThan(200);
  });
});
