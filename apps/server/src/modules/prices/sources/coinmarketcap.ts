import { field, getExactJson, joinUrl, toMicros, toPercentHundredths } from "./http.js";
import type { PriceSource, SourceQuote } from "./types.js";

export interface CoinMarketCapOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/**
 * CoinMarketCap `GET /v1/cryptocurrency/quotes/latest?symbol=BTC,ETH,USDT&convert=USD` with the key in
 * `X-CMC_PRO_API_KEY`, answering `{ "status": {...}, "data": { "BTC": { "quote": { "USD": { "price": ...,
 * "percent_change_24h": ..., "last_updated": "2024-03-25T08:05:00.000Z" } } } } }`.
 */
export function coinMarketCapSource(options: CoinMarketCapOptions): PriceSource {
  const symbolsKnown = ["BTC", "ETH", "USDT"];
  return {
    name: "coinmarketcap",
    symbols: symbolsKnown,
    async fetchQuotes(symbols, now) {
      const wanted = symbols.filter((s) => symbolsKnown.includes(s));
      if (wanted.length === 0) return [];
      const url = joinUrl(
        options.baseUrl,
        `/v1/cryptocurrency/quotes/latest?symbol=${wanted.join(",")}&convert=USD`,
      );
      const body = await getExactJson(url, { "X-CMC_PRO_API_KEY": options.apiKey }, options.timeoutMs);
      const data = field(body, "data");
      const quotes: SourceQuote[] = [];
      for (const symbol of wanted) {
        const usd = field(field(field(data, symbol), "quote"), "USD");
        const price = toMicros(field(usd, "price"));
        if (price === null) continue;
        const updated = Date.parse(String(field(usd, "last_updated") ?? ""));
        quotes.push({
          source: "coinmarketcap",
          symbol,
          price,
          change24h: toPercentHundredths(field(usd, "percent_change_24h")),
          at: Number.isFinite(updated) ? Math.min(updated, now) : now,
        });
      }
      return quotes;
    },
  };
}
