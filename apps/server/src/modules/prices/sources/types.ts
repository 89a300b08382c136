/** Price scale: prices are integer micro-dollars (10^-6 USD) inside Softchat. */
export const PRICE_SCALE = 6;

/** One source's USD price for one symbol. */
export interface SourceQuote {
  source: string;
  symbol: string;
  /** USD per unit, in micro-dollars. */
  price: bigint;
  /** The source's 24 h change in hundredths of a percent (-125n is -1.25%), when it reports one. */
  change24h: bigint | null;
  /** When the source last updated this price (ms since the epoch): the source's own time, else ours. */
  at: number;
}

/**
 * A price feed behind one small interface: CoinGecko, CoinMarketCap, Binance, or the simulated feed.
 * `fetchQuotes` asks for the given symbols (those in `symbols`) and answers those it found.
 */
export interface PriceSource {
  readonly name: string;
  /** Symbols this source can price. */
  readonly symbols: readonly string[];
  fetchQuotes(symbols: readonly string[], now: number): Promise<SourceQuote[]>;
}
