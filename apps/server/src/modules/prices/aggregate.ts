import type { SourceQuote } from "./sources/types.js";

export interface AggregateRules {
  now: number;
  /** Quotes older than this are ignored (ms). */
  maxAgeMs: number;
  /** Quotes further than this from the median are dropped (basis points). */
  maxDeviationBps: number;
  /** Fewer fresh, agreeing sources than this: no consensus. */
  minSources: number;
}

export interface Consensus {
  /** Micro-dollars. */
  price: bigint;
  /** Hundredths of a percent, median of the agreeing sources that report it; null when none does. */
  change24h: bigint | null;
  /** Names of the sources that agreed, sorted. */
  sources: string[];
}

/**
 * The published price of one symbol from its sources' latest quotes: the median of the quotes fresher than
 * `maxAgeMs`, after dropping those more than `maxDeviationBps` from the median of all fresh quotes. Null
 * when fewer than `minSources` are fresh or remain: the caller keeps its last good price and marks it stale.
 */
export function aggregateQuotes(quotes: readonly SourceQuote[], rules: AggregateRules): Consensus | null {
  const fresh = quotes.filter((q) => rules.now - q.at <= rules.maxAgeMs);
  if (fresh.length === 0 || fresh.length < rules.minSources) return null;
  const center = median(fresh.map((q) => q.price));
  const bps = BigInt(rules.maxDeviationBps);
  const agreeing = fresh.filter((q) => abs(q.price - center) * 10_000n <= center * bps);
  if (agreeing.length === 0 || agreeing.length < rules.minSources) return null;
  const changes = agreeing.flatMap((q) => (q.change24h === null ? [] : [q.change24h]));
  return {
    price: median(agreeing.map((q) => q.price)),
    change24h: changes.length > 0 ? median(changes) : null,
    sources: agreeing.map((q) => q.source).sort(),
  };
}

/** Median of a non-empty list; for an even count, the mean of the middle two rounded toward zero. */
export function median(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  const upper = sorted[mid];
  if (upper === undefined) throw new Error("median of nothing");
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[mid - 1] ?? upper) + upper) / 2n;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}
