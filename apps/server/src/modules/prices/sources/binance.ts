import { field, getExactJson, joinUrl, PriceSourceError, toMicros } from "./http.js";
import type { PriceSource, SourceQuote } from "./types.js";

/** Binance trades against USDT, not USD: its USDT quotes are taken as USD (USDT itself is not priced here). */
const MARKETS: Readonly<Record<string, string>> = { BTC: "BTCUSDT", ETH: "ETHUSDT", EUR: "EURUSDT" };

export interface BinanceOptions {
  baseUrl: string;
  timeoutMs: number;
}

/**
 * Binance `GET /api/v3/ticker/price?symbols=["BTCUSDT",...]`, answering `[{ "symbol": "BTCUSDT", "price":
 * "67187.33000000" }]`. It reports no time, so a quote is as fresh as the request, and no 24 h change.
 */
export function binanceSource(options: BinanceOptions): PriceSource {
  return {
    name: "binance",
    symbols: Object.keys(MARKETS),
    async fetchQuotes(symbols, now) {
      const wanted = symbols.filter((s) => MARKETS[s] !== undefined);
      if (wanted.length === 0) return [];
      const markets = encodeURIComponent(JSON.stringify(wanted.map((s) => MARKETS[s])));
      const body = await getExactJson(
        joinUrl(options.baseUrl, `/api/v3/ticker/price?symbols=${markets}`),
        {},
        options.timeoutMs,
      );
      if (!Array.isArray(body)) throw new PriceSourceError("expected an array of tickers");
      const bySymbol = new Map(body.map((t) => [String(field(t, "symbol")), field(t, "price")]));
      const quotes: SourceQuote[] = [];
      for (const symbol of wanted) {
        const price = toMicros(bySymbol.get(MARKETS[symbol] ?? ""));
        if (price !== null) quotes.push({ source: "binance", symbol, price, change24h: null, at: now });
      }
      return quotes;
    },
  };
}
