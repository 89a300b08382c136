import type { PortfolioUpdateEvent } from "@softchat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PriceApiFake, startCoinGeckoFake } from "../fakes/prices/price-apis.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { connectSocket, type TestSocket } from "../realtime/socket-client.js";
import { trader } from "../trading/helpers.js";
import { priceIs, trade } from "./helpers.js";

const INTERVAL_MS = 300;

describe.each(engines)("live portfolio on %s", (engine) => {
  let server: TestServer;
  let gecko: PriceApiFake;
  const sockets: TestSocket[] = [];
  const servers: TestServer[] = [];

  /** A node revaluing on price moves every `intervalMs`. */
  const startNode = async (intervalMs: number) => {
    const node = await startTestServer(engine, {
      PRICE_COINGECKO_URL: gecko.url,
      PRICE_POLL_INTERVAL_MS: "100",
      PRICE_CACHE_TTL_MS: "100",
      PORTFOLIO_LIVE_INTERVAL_MS: String(intervalMs),
    });
    servers.push(node);
    await priceIs(node, "BTC", "65000.00");
    return node;
  };

  beforeAll(async () => {
    gecko = await startCoinGeckoFake();
    gecko.set("BTC", "65000");
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const node of servers) await node.close();
    await gecko?.close();
  });

  const live = async (token: string) => {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    return s;
  };
  const btcOf = (e: PortfolioUpdateEvent) => e.holdings.find((h) => h.asset === "BTC");

  it("a fill sends the buyer's new portfolio to its devices after the commit", async () => {
    // No revaluation on price moves during this test: what arrives comes from the fill.
    server = await startNode(3_600_000);
    const seller = await trader(server, { BTC: "0.01" });
    const buyer = await trader(server, { USD: "500.00" });
    const [phone, laptop] = [await live(buyer.token), await live(buyer.token)];
    await trade(server, seller, buyer, "BTC-USD", "60000.00", "0.001");
    // 60.00 + 0.60 + 0.05 for 0.001 BTC, worth 65.00 now.
    const expected = {
      quantity: "0.00100000",
      costBasis: "60.65",
      marketValue: "65.00",
      unrealizedPnl: "4.35",
    };
    for (const device of [phone, laptop]) {
      const update = await device.waitFor("portfolio_update", (e) => btcOf(e)?.costBasis === "60.65");
      expect(btcOf(update)).toMatchObject(expected);
      expect(update.userId).toBe(buyer.id);
    }
    const rest = await server.request("GET", "/api/trading/portfolio", { token: buyer.token });
    expect(phone.events("portfolio_update").at(-1)?.holdings).toEqual(rest.body.holdings);
  });

  it("when prices move, a connected holder gets its revalued portfolio, at most once per interval", async () => {
    server = await startNode(INTERVAL_MS);
    const seller = await trader(server, { BTC: "0.01" });
    const holder = await trader(server, { USD: "500.00" });
    await trade(server, seller, holder, "BTC-USD", "60000.00", "0.001");
    const device = await live(holder.token);
    const since = device.received.length;

    gecko.set("BTC", "70000");
    const update = await device.waitFor(
      "portfolio_update",
      (e) => btcOf(e)?.marketPrice === "70000.00",
      10_000,
    );
    expect(btcOf(update)).toMatchObject({ marketValue: "70.00", unrealizedPnl: "9.35" });

    // Prices now move on every poll (100 ms); the holder still hears at most one revaluation per interval.
    const streamFrom = device.received.length;
    const started = Date.now();
    let price = 70000;
    while (Date.now() - started < 6 * INTERVAL_MS) {
      price += 1;
      gecko.set("BTC", String(price));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const streamed = Date.now() - started;
    await eventually(() => {
      const found = device.received.slice(since).filter((r) => r.event === "portfolio_update");
      expect(found.length).toBeGreaterThan(2);
    });
    // Counted over the whole stream rather than gap by gap: a valuation's timestamp is taken before its
    // database reads, whose time varies under load, while the promise is about how often a holder is told.
    const duringStream = device.received.slice(streamFrom).filter((r) => r.event === "portfolio_update");
    expect(duringStream.length).toBeLessThanOrEqual(Math.ceil(streamed / INTERVAL_MS) + 1);
    gecko.set("BTC", "65000");
    await priceIs(server, "BTC", "65000.00");
  });
});
