import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/factories.js";
import {
  type PriceApiFake,
  startBinanceFake,
  startCoinGeckoFake,
  startCoinMarketCapFake,
} from "../../../test/fakes/prices/price-apis.js";
import { engines, eventually, startTestServer, type TestServer } from "../../../test/harness.js";
import { connectSocket, okData } from "../../../test/realtime/socket-client.js";

describe.each(engines)("prices and pairs over HTTP and sockets (%s)", (engine) => {
  let server: TestServer;
  let fakes: PriceApiFake[];

  const setBtc = (price: string) => {
    for (const fake of fakes) fake.set("BTC", price, "2.5");
  };

  beforeAll(async () => {
    fakes = await Promise.all([startCoinGeckoFake(), startCoinMarketCapFake("cmc-key"), startBinanceFake()]);
    const [gecko, cmc, binance] = fakes;
    if (!gecko || !cmc || !binance) throw new Error("fakes did not start");
    setBtc("60000");
    for (const fake of fakes) fake.set("ETH", "3000", "-1");
    binance.set("EUR", "1.08");
    server = await startTestServer(engine, {
      PRICE_COINGECKO_URL: gecko.url,
      PRICE_CMC_URL: cmc.url,
      PRICE_CMC_KEY: "cmc-key",
      PRICE_BINANCE_URL: binance.url,
      PRICE_POLL_INTERVAL_MS: "200",
      PRICE_CACHE_TTL_MS: "1000",
    });
  });
  afterAll(async () => {
    await server.close();
    await Promise.all(fakes.map((f) => f.close()));
  });

  it("GET /api/crypto/prices/:symbol answers the agreed price of the three sources", async () => {
    const res = await eventually(async () => {
      const r = await server.request("GET", "/api/crypto/prices/btc");
      expect(r.status).toBe(200);
      return r;
    });
    expect(res.body).toEqual({
      symbol: "BTC",
      price: "60000.00",
      change24h: "2.50",
      sources: ["binance", "coingecko", "coinmarketcap"],
      stale: false,
      updatedAt: expect.any(String),
    });
    expect((await server.request("GET", "/api/crypto/prices/DOGE")).body.error.code).toBe("not_found");
    expect((await server.request("GET", "/api/crypto/prices/%24%24")).status).toBe(400);
  });

  it("lists the trading pairs with their rules, last price and 24 h change", async () => {
    const res = await eventually(async () => {
      const r = await server.request("GET", "/api/crypto/trading/pairs");
      expect(r.body.items?.[0]?.lastPrice).not.toBeNull();
      return r;
    });
    expect(res.body.items.map((p: { pairId: string }) => p.pairId)).toEqual([
      "BTC-USD",
      "ETH-USD",
      "ETH-BTC",
      "SOFT-USD",
    ]);
    const one = await server.request("GET", "/api/crypto/trading/pairs/ETH-BTC");
    expect(one.body.pair).toEqual({
      pairId: "ETH-BTC",
      symbol: "ETH/BTC",
      baseAsset: "ETH",
      quoteAsset: "BTC",
      tickSize: "0.000001",
      lotSize: "0.0001",
      minNotional: "0.0001",
      makerFeeBps: 100,
      takerFeeBps: 100,
      fixedFee: "0.00000100",
      lastPrice: "0.050000",
      // (1 − 1%) / (1 + 2.5%) − 1
      change24h: "-3.42",
    });
    expect((await server.request("GET", "/api/crypto/trading/pairs/DOGE-USD")).status).toBe(404);
    expect((await server.request("GET", "/api/crypto/trading/pairs/btc")).status).toBe(400);
  });

  it("subscribe_prices acknowledges current prices, then pushes price_update to subscribers only", async () => {
    const alice = await createUser(server.platform);
    const bob = await createUser(server.platform);
    const subscriber = await connectSocket(server.url, alice.token);
    const bystander = await connectSocket(server.url, bob.token);
    try {
      const ack = okData(await subscriber.request("subscribe_prices", { symbols: ["BTC", "eth-usd"] }));
      expect(ack).toMatchObject({
        symbols: ["BTC", "ETH"],
        prices: [{ symbol: "BTC", price: "60000.00" }, { symbol: "ETH" }],
      });
      const refused = await subscriber.request("subscribe_prices", { symbols: ["DOGE"] });
      expect(refused).toMatchObject({ ok: false, error: { code: "not_found" } });

      setBtc("61000.5");
      const update = await subscriber.waitFor(
        "price_update",
        (u) => u.symbol === "BTC" && u.price === "61000.50",
      );
      expect(update).toEqual({ symbol: "BTC", price: "61000.50", change: "2.50" });
      expect(bystander.events("price_update")).toEqual([]);

      okData(await subscriber.request("unsubscribe_prices", { symbols: ["BTC"] }));
      const btcUpdates = () => subscriber.events("price_update").filter((u) => u.symbol === "BTC").length;
      const before = btcUpdates();
      setBtc("62000");
      await eventually(async () => {
        expect((await server.request("GET", "/api/crypto/prices/BTC")).body.price).toBe("62000.00");
      });
      expect(btcUpdates()).toBe(before);
    } finally {
      subscriber.close();
      bystander.close();
    }
  });
});

describe.each(engines)("prices in embedded mode (%s)", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine, { PRICE_POLL_INTERVAL_MS: "200" });
  });
  afterAll(async () => {
    await server.close();
  });

  it("with no source configured, the simulated feed prices every symbol and is not stale", async () => {
    for (const symbol of ["BTC", "ETH", "SOFT", "USDT", "EUR"]) {
      const res = await server.request("GET", `/api/crypto/prices/${symbol}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ symbol, sources: ["simulated"], stale: false });
    }
  });
});
