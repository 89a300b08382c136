import { field, getExactJson, joinUrl, toMicros, toPercentHundredths } from "./http.js";
import type { PriceSource, SourceQuote } from "./types.js";

const IDS: Readonly<Record<string, string>> = { BTC: "bitcoin", ETH: "ethereum", USDT: "tether" };

export interface CoinGeckoOptions {
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

/**
 * CoinGecko `GET /api/v3/simple/price?ids=bitcoin,...&vs_currencies=usd&include_24hr_change=true
 * &include_last_updated_at=true`, answering `{ "bitcoin": { "usd": 67187.33, "usd_24h_change": -1.2,
 * "last_updated_at": 1711356300 } }`. A key goes in `x-cg-pro-api-key` on pro-api hosts and in
 * `x-cg-demo-api-key` on the public one.
 */
export function coinGeckoSource(options: CoinGeckoOptions): PriceSource {
  const headers: Record<string, string> = {};
  if (options.apiKey) {
    const pro = options.baseUrl.includes("pro-api.");
    headers[pro ? "x-cg-pro-api-key" : "x-cg-demo-api-key"] = options.apiKey;
  }
  return {
    name: "coingecko",
    symbols: Object.keys(IDS),
    async fetchQuotes(symbols, now) {
      const wanted = symbols.filter((s) => IDS[s] !== undefined);
      if (wanted.length === 0) return [];
      const ids = wanted.map((s) => IDS[s]).join(",");
      const query = `ids=${ids}&vs_currencies=usd&include_24hr_change=true&include_last_updated_at=true&precision=full`;
      const body = await getExactJson(
        joinUrl(options.baseUrl, `/api/v3/simple/price?${query}`),
        headers,
        options.timeoutMs,
      );
      const quotes: SourceQuote[] = [];
      for (const symbol of wanted) {
        const entry = field(body, IDS[symbol] ?? "");
        const price = toMicros(field(entry, "usd"));
        if (price === null) continue;
        const updated = Number(field(entry, "last_updated_at"));
        quotes.push({
          source: "coingecko",
          symbol,
          price,
          change24h: toPercentHundredths(field(entry, "usd_24h_change")),
          at: Number.isFinite(updated) && updated > 0 ? Math.min(updated * 1000, now) : now,
        });
      }
      return quotes;
    },
  };
}
