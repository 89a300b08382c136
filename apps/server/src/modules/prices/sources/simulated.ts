import type { PriceSource, SourceQuote } from "./types.js";

/** Base prices of the simulated feed, in micro-dollars. */
export const SIMULATED_BASE_PRICES: Readonly<Record<string, bigint>> = {
  BTC: 60_000_000_000n,
  ETH: 3_000_000_000n,
  SOFT: 100_000n,
  USDT: 1_000_000n,
  EUR: 1_080_000n,
};

/** Largest step of the walk, in millionths of the price (±0.1%); USDT moves ten times less. */
const STEP_PPM = 1000;

/**
 * A deterministic simulated feed for embedded mode (no network): each `fetchQuotes` call moves every
 * symbol one step of a seeded random walk pulled back toward its base price, so the same seed gives the same
 * prices in the same order on every run. Integer arithmetic only. Its 24 h change is against the base price.
 */
export class SimulatedFeed implements PriceSource {
  readonly name = "simulated";
  readonly symbols = Object.keys(SIMULATED_BASE_PRICES);
  private state: number;
  private readonly prices = new Map<string, bigint>(Object.entries(SIMULATED_BASE_PRICES));

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  async fetchQuotes(symbols: readonly string[], now: number): Promise<SourceQuote[]> {
    return this.step(symbols, now);
  }

  /** One step of the walk for every known symbol (in a fixed order, so determinism does not hang on `symbols`). */
  step(symbols: readonly string[], now: number): SourceQuote[] {
    const quotes: SourceQuote[] = [];
    for (const symbol of this.symbols) {
      const base = SIMULATED_BASE_PRICES[symbol] ?? 0n;
      const current = this.prices.get(symbol) ?? base;
      const span = symbol === "USDT" ? STEP_PPM / 10 : STEP_PPM;
      const ppm = BigInt((this.nextUint32() % (2 * span + 1)) - span);
      // Pull 1/200 of the way back to the base each step so the walk stays around it.
      let next = current + (current * ppm) / 1_000_000n + (base - current) / 200n;
      if (next < 1n) next = 1n;
      this.prices.set(symbol, next);
      if (symbols.includes(symbol)) {
        quotes.push({
          source: this.name,
          symbol,
          price: next,
          change24h: ((next - base) * 10_000n) / base,
          at: now,
        });
      }
    }
    return quotes;
  }

  /** mulberry32 on 32-bit integers: a tiny seeded generator with no floats. */
  private nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}
