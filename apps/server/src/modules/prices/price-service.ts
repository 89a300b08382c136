import type { Asset, PriceQuote } from "@softchat/contracts";
import type { Logger } from "pino";
import type { Cache } from "../../platform/cache/index.js";
import { AppError } from "../../platform/http/errors.js";
import { formatScaled, formatTrimmed } from "../trading/engine/decimal.js";
import { aggregateQuotes, median } from "./aggregate.js";
import { PriceHistory } from "./price-history.js";
import { SIMULATED_BASE_PRICES } from "./sources/simulated.js";
import { PRICE_SCALE, type PriceSource, type SourceQuote } from "./sources/types.js";

/** Symbols Softchat publishes a USD price for. */
export const PRICE_SYMBOLS = ["BTC", "ETH", "SOFT", "USDT", "EUR"] as const;

export interface PriceServiceOptions {
  /** External sources; each prices the symbols it knows. */
  sources: PriceSource[];
  /** Prices every symbol no external source covers (all of them in embedded mode). */
  fallback: PriceSource;
  cache: Cache;
  logger: Logger;
  pollIntervalMs: number;
  cacheTtlMs: number;
  maxAgeMs: number;
  maxDeviationBps: number;
  /** Agreeing fresh sources needed for a non-stale price (capped at the sources a symbol has). Default 2. */
  minSources?: number;
  now?: () => number;
  /** Told when a symbol's published price or staleness changes (the socket push). */
  onChange?: (quote: PriceQuote) => void;
  /** Told when a source fails a poll (counted in /metrics). */
  onSourceError?: (source: string) => void;
}

interface Published {
  symbol: string;
  price: bigint;
  change24h: bigint;
  sources: string[];
  stale: boolean;
  updatedAt: number;
}

/**
 * USD prices of the symbols Softchat knows: polled from the configured sources, agreed on by median (see
 * `aggregateQuotes`), cached `cacheTtlMs` (Redis when scaled), pushed through `onChange` when they move.
 * A symbol whose sources stop agreeing keeps its last good price, marked stale.
 */
export class PriceService {
  private readonly quotes = new Map<string, Map<string, SourceQuote>>();
  private readonly published = new Map<string, Published>();
  private readonly lastGood = new Map<string, Published>();
  private readonly history = new PriceHistory();
  private readonly now: () => number;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: PriceServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Names of the sources a symbol's price comes from. */
  sourcesFor(symbol: string): PriceSource[] {
    const external = this.options.sources.filter((s) => s.symbols.includes(symbol));
    return external.length > 0 ? external : [this.options.fallback];
  }

  /** Polls every `pollIntervalMs` until `stop`; the first poll starts at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      try {
        await this.refresh();
      } catch (err) {
        // A failing cache or socket push must not stop the polling, nor crash the process.
        this.options.logger.error({ err }, "price refresh failed");
      }
      if (!this.running) return;
      this.timer = setTimeout(loop, this.options.pollIntervalMs);
      this.timer.unref();
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.refreshing?.catch(() => {});
  }

  /** Asks every source once and republishes every symbol. Concurrent calls share one round. */
  refresh(): Promise<void> {
    this.refreshing ??= this.poll().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The published quote of `symbol`: 404 for a symbol Softchat does not price, 503 when none is known yet. */
  async getPrice(symbol: string): Promise<PriceQuote> {
    if (!isPriceSymbol(symbol)) throw new AppError("not_found", `No price for ${symbol}`);
    return this.options.cache.getOrSet(cacheKey(symbol), this.options.cacheTtlMs, async () => {
      if (this.now() - this.lastRefreshAt >= this.options.cacheTtlMs) await this.refresh();
      const quote = this.current(symbol);
      if (!quote) throw new AppError("unavailable", `No source has priced ${symbol} yet`);
      return quote;
    });
  }

  /** The quote this node published last, or undefined before the first poll. */
  current(symbol: string): PriceQuote | undefined {
    const p = this.published.get(symbol);
    return p && presentQuote(p);
  }

  /**
   * Whole US cents per unit of `asset`, rounded up, from the live price (the base price before the first
   * poll): the shape of the wallet's `PriceSource.usdCentsPerUnit`, so the wallet's KYC valuation can use it.
   */
  usdCentsPerUnit(asset: Asset): bigint {
    if (asset === "USD") return 100n;
    const micros = this.published.get(asset)?.price ?? SIMULATED_BASE_PRICES[asset] ?? 0n;
    const perCent = 10n ** BigInt(PRICE_SCALE - 2);
    return (micros + perCent - 1n) / perCent;
  }

  private async poll(): Promise<void> {
    const now = this.now();
    const plan = new Map<PriceSource, string[]>();
    for (const symbol of PRICE_SYMBOLS) {
      for (const source of this.sourcesFor(symbol)) plan.set(source, [...(plan.get(source) ?? []), symbol]);
    }
    const rounds = [...plan].map(async ([source, symbols]) => {
      try {
        for (const q of await source.fetchQuotes(symbols, now)) {
          const bySource = this.quotes.get(q.symbol) ?? new Map<string, SourceQuote>();
          bySource.set(q.source, q);
          this.quotes.set(q.symbol, bySource);
        }
      } catch (err) {
        this.options.logger.warn({ err, source: source.name }, "price source failed");
        this.options.onSourceError?.(source.name);
      }
    });
    await Promise.all(rounds);
    for (const symbol of PRICE_SYMBOLS) await this.republish(symbol, now);
    this.lastRefreshAt = now;
  }

  private async republish(symbol: string, now: number): Promise<void> {
    const quotes = [...(this.quotes.get(symbol)?.values() ?? [])];
    const minSources = Math.min(this.options.minSources ?? 2, this.sourcesFor(symbol).length);
    const rules = {
      now,
      maxAgeMs: this.options.maxAgeMs,
      maxDeviationBps: this.options.maxDeviationBps,
      minSources,
    };
    const consensus = aggregateQuotes(quotes, rules);
    let next: Published | undefined;
    if (consensus) {
      const change24h = consensus.change24h ?? this.history.change24h(symbol, consensus.price);
      next = {
        symbol,
        price: consensus.price,
        change24h,
        sources: consensus.sources,
        stale: false,
        updatedAt: now,
      };
      this.lastGood.set(symbol, next);
      this.history.record(symbol, consensus.price, now);
    } else {
      next = this.staleFallback(symbol, quotes, now);
    }
    if (!next) return;
    const previous = this.published.get(symbol);
    this.published.set(symbol, next);
    const quote = presentQuote(next);
    await this.options.cache.set(cacheKey(symbol), quote, this.options.cacheTtlMs);
    if (!previous || previous.price !== next.price || previous.stale !== next.stale)
      this.options.onChange?.(quote);
  }

  /** Without consensus: the last good price marked stale; before any, the median of what is fresh, stale. */
  private staleFallback(symbol: string, quotes: SourceQuote[], now: number): Published | undefined {
    const good = this.lastGood.get(symbol);
    if (good) return { ...good, stale: true };
    const fresh = quotes.filter((q) => now - q.at <= this.options.maxAgeMs);
    if (fresh.length === 0) return undefined;
    const price = median(fresh.map((q) => q.price));
    const sources = fresh.map((q) => q.source).sort();
    return { symbol, price, change24h: 0n, sources, stale: true, updatedAt: now };
  }
}

function isPriceSymbol(symbol: string): symbol is (typeof PRICE_SYMBOLS)[number] {
  return (PRICE_SYMBOLS as readonly string[]).includes(symbol);
}

function cacheKey(symbol: string): string {
  return `prices:${symbol}`;
}

function presentQuote(p: Published): PriceQuote {
  return {
    symbol: p.symbol,
    price: formatTrimmed(p.price, PRICE_SCALE),
    change24h: formatScaled(p.change24h, 2),
    sources: p.sources,
    stale: p.stale,
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}
