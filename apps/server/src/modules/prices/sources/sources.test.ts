import { afterEach, describe, expect, it } from "vitest";
import {
  type PriceApiFake,
  startBinanceFake,
  startCoinGeckoFake,
  startCoinMarketCapFake,
} from "../../../../test/fakes/prices/price-apis.js";
import { binanceSource } from "./binance.js";
import { coinGeckoSource } from "./coingecko.js";
import { coinMarketCapSource } from "./coinmarketcap.js";
import { SimulatedFeed } from "./simulated.js";

const fakes: PriceApiFake[] = [];
const track = async (fake: Promise<PriceApiFake>) => {
  const started = await fake;
  fakes.push(started);
  return started;
};
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const NOW = Date.UTC(2025, 2, 1, 12, 0, 0);

describe("CoinGecko source", () => {
  it("reads /simple/price exactly, 24 h change and update time included", async () => {
    const fake = await track(startCoinGeckoFake());
    fake.set("BTC", "67187.123456789", "-1.2345678901");
    fake.set("ETH", "3456.7", "2.005");
    fake.reportTime(NOW - 30_000);
    const source = coinGeckoSource({ baseUrl: fake.url, apiKey: "demo-key", timeoutMs: 2000 });
    const quotes = await source.fetchQuotes(["BTC", "ETH", "SOFT"], NOW);
    expect(quotes).toEqual([
      { source: "coingecko", symbol: "BTC", price: 67_187_123_457n, change24h: -123n, at: NOW - 30_000 },
      { source: "coingecko", symbol: "ETH", price: 3_456_700_000n, change24h: 201n, at: NOW - 30_000 },
    ]);
    expect(fake.requests[0]?.query.get("ids")).toBe("bitcoin,ethereum");
    expect(fake.requests[0]?.headers["x-cg-demo-api-key"]).toBe("demo-key");
  });

  it("fails loudly when the API refuses", async () => {
    const fake = await track(startCoinGeckoFake());
    fake.failWith(429);
    const source = coinGeckoSource({ baseUrl: fake.url, apiKey: undefined, timeoutMs: 2000 });
    await expect(source.fetchQuotes(["BTC"], NOW)).rejects.toThrow(/HTTP 429/);
  });
});

describe("CoinMarketCap source", () => {
  it("sends the key in X-CMC_PRO_API_KEY and reads quote.USD exactly", async () => {
    const fake = await track(startCoinMarketCapFake("cmc-secret"));
    fake.set("BTC", "67190.00000001", "0.5");
    fake.set("USDT", "1.000123", "0.01");
    fake.reportTime(NOW - 5_000);
    const source = coinMarketCapSource({ baseUrl: fake.url, apiKey: "cmc-secret", timeoutMs: 2000 });
    expect(await source.fetchQuotes(["BTC", "USDT", "EUR"], NOW)).toEqual([
      { source: "coinmarketcap", symbol: "BTC", price: 67_190_000_000n, change24h: 50n, at: NOW - 5_000 },
      { source: "coinmarketcap", symbol: "USDT", price: 1_000_123n, change24h: 1n, at: NOW - 5_000 },
    ]);
    expect(fake.requests[0]?.query.get("symbol")).toBe("BTC,USDT");
    expect(fake.requests[0]?.query.get("convert")).toBe("USD");
  });

  it("is refused with a wrong key", async () => {
    await track(startCoinMarketCapFake("cmc-secret"));
    const fake = fakes[0];
    if (!fake) throw new Error("no fake");
    const source = coinMarketCapSource({ baseUrl: fake.url, apiKey: "wrong", timeoutMs: 2000 });
    await expect(source.fetchQuotes(["BTC"], NOW)).rejects.toThrow(/HTTP 401/);
  });
});

describe("Binance source", () => {
  it("asks for USDT markets and takes their string prices as USD, timed at the request", async () => {
    const fake = await track(startBinanceFake());
    fake.set("BTC", "67185.50000000");
    fake.set("ETH", "3457.01000000");
    fake.set("EUR", "1.08310000");
    const source = binanceSource({ baseUrl: fake.url, timeoutMs: 2000 });
    expect(await source.fetchQuotes(["BTC", "EUR", "SOFT"], NOW)).toEqual([
      { source: "binance", symbol: "BTC", price: 67_185_500_000n, change24h: null, at: NOW },
      { source: "binance", symbol: "EUR", price: 1_083_100n, change24h: null, at: NOW },
    ]);
    expect(fake.requests[0]?.query.get("symbols")).toBe('["BTCUSDT","EURUSDT"]');
  });
});

describe("simulated feed", () => {
  it("walks the same way for the same seed, stays near its base prices, and needs no network", () => {
    const run = (seed: number) => {
      const feed = new SimulatedFeed(seed);
      return Array.from({ length: 500 }, (_, i) => feed.step(["BTC", "SOFT", "USDT"], i));
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    const last = first[first.length - 1] ?? [];
    const btc = last.find((q) => q.symbol === "BTC")?.price ?? 0n;
    const usdt = last.find((q) => q.symbol === "USDT")?.price ?? 0n;
    expect(btc > 54_000_000_000n && btc < 66_000_000_000n).toBe(true);
    expect(usdt > 990_000n && usdt < 1_010_000n).toBe(true);
    expect(last.map((q) => q.symbol)).toEqual(["BTC", "SOFT", "USDT"]);
  });
});
