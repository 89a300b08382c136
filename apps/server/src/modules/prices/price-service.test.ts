import type { PriceQuote } from "@softchat/contracts";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type PriceApiFake,
  startBinanceFake,
  startCoinGeckoFake,
  startCoinMarketCapFake,
} from "../../../test/fakes/prices/price-apis.js";
import { MemoryCache } from "../../platform/cache/index.js";
import type { PriceSource as WalletPriceSource } from "../wallet/pricing.js";
import { PriceService } from "./price-service.js";
import { createPriceSources, SimulatedFeed } from "./sources/index.js";

const logger = pino({ level: "silent" });

describe("price service over three sources", () => {
  let gecko: PriceApiFake;
  let cmc: PriceApiFake;
  let binance: PriceApiFake;
  let clock: number;
  let changes: PriceQuote[];
  let service: PriceService;

  const setAll = (symbol: string, gk: string, cm: string, bn: string) => {
    gecko.set(symbol, gk, "1.5");
    cmc.set(symbol, cm, "1.7");
    binance.set(symbol, bn);
  };

  beforeEach(async () => {
    [gecko, cmc, binance] = await Promise.all([
      startCoinGeckoFake(),
      startCoinMarketCapFake("k"),
      startBinanceFake(),
    ]);
    clock = Date.now();
    for (const fake of [gecko, cmc]) fake.reportTime(undefined);
    setAll("BTC", "60000.10", "60100.20", "59990.30");
    setAll("ETH", "3000", "3001", "3002");
    binance.set("EUR", "1.08");
    gecko.set("USDT", "1.0001");
    cmc.set("USDT", "0.9999");
    changes = [];
    service = new PriceService({
      sources: createPriceSources({
        PRICE_COINGECKO_URL: gecko.url,
        PRICE_COINGECKO_KEY: undefined,
        PRICE_CMC_URL: cmc.url,
        PRICE_CMC_KEY: "k",
        PRICE_BINANCE_URL: binance.url,
        PRICE_SOURCE_TIMEOUT_MS: 2000,
      }),
      fallback: new SimulatedFeed(1),
      cache: new MemoryCache(),
      logger,
      pollIntervalMs: 60_000,
      cacheTtlMs: 60_000,
      maxAgeMs: 60_000,
      maxDeviationBps: 200,
      now: () => clock,
      onChange: (q) => changes.push(q),
    });
  });
  afterEach(async () => {
    await service.stop();
    await Promise.all([gecko, cmc, binance].map((f) => f.close()));
  });

  it("publishes the median of the sources that agree, with their names", async () => {
    await service.refresh();
    expect(service.current("BTC")).toMatchObject({
      symbol: "BTC",
      price: "60000.10",
      change24h: "1.60",
      sources: ["binance", "coingecko", "coinmarketcap"],
      stale: false,
    });
    expect(service.current("ETH")?.price).toBe("3001.00");
  });

  it("drops a source more than 2% away from the others", async () => {
    binance.set("BTC", "70000");
    await service.refresh();
    expect(service.current("BTC")).toMatchObject({
      price: "60050.15",
      sources: ["coingecko", "coinmarketcap"],
      stale: false,
    });
  });

  it("keeps the last good price, marked stale, when fewer than two sources answer", async () => {
    await service.refresh();
    gecko.failWith(500);
    cmc.failWith(500);
    binance.set("BTC", "61000");
    clock += 61_000;
    await service.refresh();
    expect(service.current("BTC")).toMatchObject({ price: "60000.10", stale: true });
    expect(changes.filter((c) => c.symbol === "BTC").map((c) => c.stale)).toEqual([false, true]);
    gecko.failWith(undefined);
    cmc.failWith(undefined);
    gecko.reportTime(clock);
    cmc.reportTime(clock);
    await service.refresh();
    expect(service.current("BTC")).toMatchObject({ price: "60100.20", stale: false });
  });

  it("does not use a source quote older than 60 s", async () => {
    gecko.reportTime(clock - 61_000);
    cmc.reportTime(clock - 61_000);
    await service.refresh();
    // Only Binance is fresh: no consensus and no earlier price, so its own price goes out as stale.
    expect(service.current("BTC")).toMatchObject({ price: "59990.30", sources: ["binance"], stale: true });
  });

  it("prices a symbol no source covers with the simulated feed, not stale", async () => {
    await service.refresh();
    expect(service.current("SOFT")).toMatchObject({ sources: ["simulated"], stale: false });
    expect(service.current("EUR")).toMatchObject({ price: "1.08", sources: ["binance"], stale: false });
  });

  it("tells subscribers only when a price moves", async () => {
    await service.refresh();
    const first = changes.length;
    await service.refresh();
    expect(changes.filter((c) => c.symbol === "BTC")).toHaveLength(1);
    gecko.set("BTC", "60200");
    cmc.set("BTC", "60200");
    await service.refresh();
    expect(
      changes
        .slice(first)
        .filter((c) => c.symbol === "BTC")
        .map((c) => c.price),
    ).toEqual(["60200.00"]);
  });

  it("answers getPrice from its cache for 60 s", async () => {
    const quote = await service.getPrice("BTC");
    expect(quote.price).toBe("60000.10");
    const asked = gecko.requests.length;
    gecko.set("BTC", "1");
    expect((await service.getPrice("BTC")).price).toBe("60000.10");
    expect(gecko.requests.length).toBe(asked);
    await expect(service.getPrice("DOGE")).rejects.toMatchObject({ code: "not_found" });
  });

  it("gives the wallet whole cents per unit, rounded up", async () => {
    // The service is a drop-in for the wallet's price source (its KYC valuation).
    const walletSource: WalletPriceSource = service;
    expect(walletSource.usdCentsPerUnit("SOFT")).toBe(10n);
    expect(service.usdCentsPerUnit("BTC")).toBe(6_000_000n);
    expect(service.usdCentsPerUnit("USD")).toBe(100n);
    await service.refresh();
    expect(service.usdCentsPerUnit("BTC")).toBe(6_000_010n);
    expect(service.usdCentsPerUnit("USDT")).toBe(100n);
    expect(service.usdCentsPerUnit("EUR")).toBe(108n);
  });
});

describe("price service in embedded mode", () => {
  it("runs on the simulated feed alone: one source, never stale, deterministic per seed", async () => {
    const make = () =>
      new PriceService({
        sources: [],
        fallback: new SimulatedFeed(42),
        cache: new MemoryCache(),
        logger,
        pollIntervalMs: 60_000,
        cacheTtlMs: 60_000,
        maxAgeMs: 60_000,
        maxDeviationBps: 200,
      });
    const [a, b] = [make(), make()];
    for (let i = 0; i < 3; i++) await Promise.all([a.refresh(), b.refresh()]);
    expect(a.current("BTC")).toMatchObject({ sources: ["simulated"], stale: false });
    expect(a.current("BTC")?.price).toBe(b.current("BTC")?.price);
    expect(a.current("ETH")?.price).toBe(b.current("ETH")?.price);
  });
});
