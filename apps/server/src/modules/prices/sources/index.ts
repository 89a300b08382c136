import type { Config } from "../../../config.js";
import { binanceSource } from "./binance.js";
import { coinGeckoSource } from "./coingecko.js";
import { coinMarketCapSource } from "./coinmarketcap.js";
import type { PriceSource } from "./types.js";

export { SimulatedFeed } from "./simulated.js";
export type { PriceSource, SourceQuote } from "./types.js";

type PriceConfig = Pick<
  Config,
  | "PRICE_COINGECKO_URL"
  | "PRICE_COINGECKO_KEY"
  | "PRICE_CMC_URL"
  | "PRICE_CMC_KEY"
  | "PRICE_BINANCE_URL"
  | "PRICE_SOURCE_TIMEOUT_MS"
>;

/** The external price sources the environment enables; empty in embedded mode (the simulated feed runs). */
export function createPriceSources(config: PriceConfig): PriceSource[] {
  const timeoutMs = config.PRICE_SOURCE_TIMEOUT_MS;
  const sources: PriceSource[] = [];
  if (config.PRICE_COINGECKO_URL || config.PRICE_COINGECKO_KEY) {
    const baseUrl =
      config.PRICE_COINGECKO_URL ??
      (config.PRICE_COINGECKO_KEY ? "https://pro-api.coingecko.com" : "https://api.coingecko.com");
    sources.push(coinGeckoSource({ baseUrl, apiKey: config.PRICE_COINGECKO_KEY, timeoutMs }));
  }
  if (config.PRICE_CMC_KEY) {
    const baseUrl = config.PRICE_CMC_URL ?? "https://pro-api.coinmarketcap.com";
    sources.push(coinMarketCapSource({ baseUrl, apiKey: config.PRICE_CMC_KEY, timeoutMs }));
  }
  if (config.PRICE_BINANCE_URL) sources.push(binanceSource({ baseUrl: config.PRICE_BINANCE_URL, timeoutMs }));
  return sources;
}
