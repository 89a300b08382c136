import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILLS_SETTLED_TOPIC } from "../../src/modules/trading/index.js";
import { createUser, type TestUser } from "../factories.js";
import { type PriceApiFake, startCoinGeckoFake } from "../fakes/prices/price-apis.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { trader } from "../trading/helpers.js";
import { sendTransfer } from "../wallet/helpers.js";
import { holdingOf, holdingWhen, portfolioOf, priceIs, trade } from "./helpers.js";

// Fees on every fill: 1% of its value (rounded up to the cent) plus a fixed 0.05 USD. Prices come from a
// fake CoinGecko, so every figure below is exact.
describe.each(engines)("portfolio P&L on %s", (engine) => {
  let server: TestServer;
  let gecko: PriceApiFake;
  let sam: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    gecko = await startCoinGeckoFake();
    gecko.set("BTC", "65000");
    gecko.set("ETH", "3000");
    server = await startTestServer(engine, {
      PRICE_COINGECKO_URL: gecko.url,
      PRICE_POLL_INTERVAL_MS: "100",
      PRICE_CACHE_TTL_MS: "100",
    });
    await priceIs(server, "BTC", "65000.00");
    // Sam's 0.01 BTC arrives worth $650.00: its lot costs that.
    sam = await trader(server, { BTC: "0.01" });
    alice = await trader(server, { USD: "2000.00" });
    bob = await trader(server, { USD: "1000.00" });
    // Alice buys 0.002 BTC at 60,000 (120.00 + 1.20 + 0.05 = 121.25), then 0.002 at 62,000 (124.00 + 1.24 +
    // 0.05 = 125.29), then sells 0.003 to Bob at 64,000 (192.00 - 1.92 - 0.05 = 190.03 for her).
    await trade(server, sam, alice, "BTC-USD", "60000.00", "0.002");
    await trade(server, sam, alice, "BTC-USD", "62000.00", "0.002");
    await trade(server, alice, bob, "BTC-USD", "64000.00", "0.003");
  });
  afterAll(async () => {
    await server?.close();
    await gecko?.close();
  });

  it("buying BTC in two lots then selling part realizes the FIFO gain exactly, fees included in cost and proceeds", async () => {
    // Sold 0.003: all of lot 1 (121.25) and half of lot 2 (62.65 of 125.29): 190.03 - 183.90 = 6.13.
    await holdingWhen(server, alice, "BTC", {
      quantity: "0.00100000",
      costBasis: "62.64",
      averageCost: "62640.00",
      realizedPnl: "6.13",
    });
    const portfolio = await portfolioOf(server, alice);
    expect(portfolio.holdings).toEqual([
      {
        asset: "USD",
        quantity: "1943.49",
        averageCost: "1.00",
        costBasis: "1943.49",
        marketPrice: "1.00",
        marketValue: "1943.49",
        unrealizedPnl: "0.00",
        realizedPnl: "0.00",
        unknownCostQuantity: "0.00",
      },
      {
        asset: "BTC",
        quantity: "0.00100000",
        averageCost: "62640.00",
        costBasis: "62.64",
        marketPrice: "65000.00",
        marketValue: "65.00",
        unrealizedPnl: "2.36",
        realizedPnl: "6.13",
        unknownCostQuantity: "0.00000000",
      },
    ]);
    expect(portfolio.totals).toEqual({
      marketValue: "2008.49",
      costBasis: "2006.13",
      unrealizedPnl: "2.36",
      realizedPnl: "6.13",
    });
  });

  it("fees are part of a buyer's cost: the average cost is above the price paid", async () => {
    // 193.97 for 0.003 BTC bought at 64,000.
    await holdingWhen(server, bob, "BTC", {
      quantity: "0.00300000",
      costBasis: "193.97",
      averageCost: "64656.666667",
      unrealizedPnl: "1.03",
    });
  });

  it("selling below the deposit's value realizes a loss", async () => {
    // A fifth of a $650.00 lot each time: (118.75 - 130.00) + (122.71 - 130.00) = -11.25 - 7.29.
    await holdingWhen(server, sam, "BTC", {
      quantity: "0.00600000",
      costBasis: "390.00",
      averageCost: "65000.00",
      realizedPnl: "-18.54",
      unrealizedPnl: "0.00",
    });
  });

  it("unrealized P&L follows the market price", async () => {
    gecko.set("BTC", "70000");
    await priceIs(server, "BTC", "70000.00");
    await holdingWhen(server, alice, "BTC", {
      marketPrice: "70000.00",
      marketValue: "70.00",
      unrealizedPnl: "7.36",
    });
    await holdingWhen(server, bob, "BTC", { marketValue: "210.00", unrealizedPnl: "16.03" });
    gecko.set("BTC", "65000");
    await priceIs(server, "BTC", "65000.00");
  });

  it("the realized gains of a year list each lot sold with its dates, and other years are empty", async () => {
    await holdingWhen(server, alice, "BTC", { realizedPnl: "6.13" });
    const res = await server.request("GET", `/api/trading/portfolio/realized?year=${year}`, {
      token: alice.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({
      proceeds: "190.03",
      costBasis: "183.90",
      gain: "6.13",
      unknownCostProceeds: "0.00",
    });
    expect(res.body.byAsset).toEqual([
      {
        asset: "BTC",
        quantity: "0.00300000",
        proceeds: "190.03",
        costBasis: "183.90",
        gain: "6.13",
        unknownCostProceeds: "0.00",
      },
    ]);
    expect(res.body.items).toMatchObject([
      { asset: "BTC", quantity: "0.00200000", proceeds: "126.69", costBasis: "121.25", gain: "5.44" },
      { asset: "BTC", quantity: "0.00100000", proceeds: "63.34", costBasis: "62.65", gain: "0.69" },
    ]);
    for (const item of res.body.items) {
      expect(new Date(item.disposedAt).getUTCFullYear()).toBe(year);
      expect(Date.parse(item.openedAt)).toBeLessThanOrEqual(Date.parse(item.disposedAt));
    }

    const lastYear = await server.request("GET", `/api/trading/portfolio/realized?year=${year - 1}`, {
      token: alice.token,
    });
    expect(lastYear.body).toMatchObject({
      items: [],
      byAsset: [],
      totals: { gain: "0.00", proceeds: "0.00" },
    });

    const firstPage = await server.request("GET", `/api/trading/portfolio/realized?year=${year}&limit=1`, {
      token: alice.token,
    });
    expect(firstPage.body.items).toHaveLength(1);
    const next = await server.request(
      "GET",
      `/api/trading/portfolio/realized?year=${year}&limit=1&cursor=${firstPage.body.nextCursor}`,
      { token: alice.token },
    );
    expect(next.body.items).toMatchObject([{ gain: "0.69" }]);
    expect(next.body.nextCursor).toBeNull();
  });

  it("keeps the lot history: a closed lot with its closing date and an open one with what is left", async () => {
    const res = await eventually(async () => {
      const r = await server.request("GET", "/api/trading/portfolio/lots?asset=BTC", { token: alice.token });
      expect(r.body.items).toHaveLength(2);
      return r;
    });
    const [newer, older] = res.body.items;
    expect(newer).toMatchObject({
      source: "buy",
      closedAt: null,
      quantity: "0.00200000",
      remainingQuantity: "0.00100000",
      costBasis: "125.29",
      remainingCostBasis: "62.64",
      unitCost: "62645.00",
    });
    expect(older).toMatchObject({
      source: "buy",
      quantity: "0.00200000",
      remainingQuantity: "0.00000000",
      unitCost: "60625.00",
    });
    expect(older.closedAt).not.toBeNull();
    const open = await server.request("GET", "/api/trading/portfolio/lots?status=open", {
      token: alice.token,
    });
    expect(open.body.items.map((l: { id: string }) => l.id)).toEqual([newer.id]);
  });

  it("a transfer in opens a lot at its market value; the sender's lots shrink at cost with nothing realized", async () => {
    const dave = await createUser(server.platform, { kycLevel: 2 });
    const before = await holdingWhen(server, sam, "BTC", { quantity: "0.00600000" });
    const sent = await sendTransfer(server, sam, { to: dave.id, asset: "BTC", amount: "0.001" });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    await holdingWhen(server, dave, "BTC", {
      quantity: "0.00100000",
      costBasis: "65.00",
      averageCost: "65000.00",
    });
    await holdingWhen(server, sam, "BTC", {
      quantity: "0.00500000",
      costBasis: "325.00",
      realizedPnl: before?.realizedPnl ?? "",
    });
  });

  it("trading ETH for BTC values both legs in USD: the BTC paid is sold, the ETH bought costs as much", async () => {
    const carol = await trader(server, { BTC: "0.01" });
    const eve = await trader(server, { ETH: "1" });
    // 0.1 ETH at 0.05 BTC: Carol pays 0.005 + 0.00005 + 0.000001 = 0.005051 BTC, worth 328.32 (at 65,000),
    // and Eve receives 0.005 - 0.000051 = 0.004949 BTC, worth 321.69.
    await trade(server, eve, carol, "ETH-BTC", "0.050000", "0.1");
    await holdingWhen(server, carol, "ETH", {
      quantity: "0.100000000000000000",
      costBasis: "328.32",
      unrealizedPnl: "-28.32",
    });
    // Sold BTC at the price it was deposited at: nothing gained, nothing lost.
    await holdingWhen(server, carol, "BTC", {
      quantity: "0.00494900",
      costBasis: "321.68",
      realizedPnl: "0.00",
    });
    // Eve's ETH lot cost 3,000 per ETH: 0.1 of it sold for 321.69.
    await holdingWhen(server, eve, "ETH", {
      quantity: "0.900000000000000000",
      costBasis: "2700.00",
      realizedPnl: "21.69",
    });
    // 321.685 rounded to 321.69 for 0.004949 BTC: 65,001.010305 per BTC.
    await holdingWhen(server, eve, "BTC", {
      quantity: "0.00494900",
      costBasis: "321.69",
      averageCost: "65001.010305",
    });
  });

  /** A `trading.fills_settled` payload: one USD-quoted buy of BTC, with its cumulative figures. */
  const fillsOf = (userId: string, orderId: string, filledBase: string, quoteTotal: string) => ({
    fills: [
      {
        orderId,
        userId,
        side: "buy",
        base: "BTC",
        quote: "USD",
        filledBase,
        quoteTotal,
        at: new Date().toISOString(),
      },
    ],
  });
  const publishFills = (payload: unknown, deliverHere: boolean) =>
    server.platform.db.transaction((tx) =>
      server.platform.outbox.publish(tx, FILLS_SETTLED_TOPIC, payload, { deliverHere }),
    );

  it("fills published on trading.fills_settled are recorded once, however often they are delivered", async () => {
    const frank = await createUser(server.platform);
    const orderId = randomUUID();
    const fill = (filledBase: string, quoteTotal: string) =>
      fillsOf(frank.id, orderId, filledBase, quoteTotal);
    const publish = (payload: unknown) => publishFills(payload, false);
    // Half filled for 30.32 (0.0005 BTC), then all of it for 60.65; the first state arrives again late.
    const lotCount = async () =>
      (await server.request("GET", "/api/trading/portfolio/lots", { token: frank.token })).body.items.length;
    await publish(fill("50000", "3032"));
    await eventually(async () => expect(await lotCount()).toBe(1));
    await publish(fill("100000", "6065"));
    await publish(fill("50000", "3032"));
    const lots = await eventually(async () => {
      const res = await server.request("GET", "/api/trading/portfolio/lots", { token: frank.token });
      expect(res.body.items).toHaveLength(2);
      return res.body.items;
    });
    expect(lots.map((l: { quantity: string; costBasis: string }) => [l.quantity, l.costBasis])).toEqual([
      ["0.00050000", "30.33"],
      ["0.00050000", "30.32"],
    ]);
  });

  it("fills events settled together are recorded together, and one that cannot be recorded holds back no other", async () => {
    const grace = await createUser(server.platform);
    const orderId = randomUUID();
    // Delivered by this node straight after each commit, as the pipeline's settlements are, so the three
    // land in one portfolio batch, in whatever order they commit. One names a user who does not exist: it
    // cannot be recorded.
    const publish = (payload: unknown) => publishFills(payload, true);
    const event = (userId: string, filledBase: string, quoteTotal: string, order = orderId) =>
      fillsOf(userId, order, filledBase, quoteTotal);
    const stranger = randomUUID();
    await Promise.all([
      publish(event(grace.id, "50000", "3032")),
      publish(event(stranger, "10000", "600", randomUUID())),
      publish(event(grace.id, "100000", "6065")),
    ]);
    // Half of the order, then all of it: the BTC of the whole order, at what the whole order cost.
    const lots = await eventually(async () => {
      const res = await server.request("GET", "/api/trading/portfolio/lots", { token: grace.token });
      const items = res.body.items as Array<{ quantity: string; costBasis: string }>;
      expect(items.reduce((sum, l) => sum + Math.round(Number(l.quantity) * 1e8), 0)).toBe(100_000);
      return items;
    });
    expect(lots.reduce((sum, l) => sum + Math.round(Number(l.costBasis) * 100), 0)).toBe(6065);
    // The two events of Grace never failed; the stranger's failed alone and waits for its retry.
    await eventually(async () => {
      const { rows } = await server.platform.db.query<{ user_id: string; failed: boolean }>(
        `SELECT payload->'fills'->0->>'userId' AS user_id, last_error IS NOT NULL AS failed
           FROM outbox WHERE topic = $1 AND payload->'fills'->0->>'userId' = ANY($2::text[]) ORDER BY id`,
        [FILLS_SETTLED_TOPIC, [grace.id, stranger]],
      );
      expect(rows.filter((r) => r.failed).map((r) => r.user_id)).toEqual([stranger]);
      expect(rows).toHaveLength(3);
    });
  });

  it("shows your own portfolio only; an admin may read anyone's", async () => {
    const other = await server.request("GET", `/api/trading/portfolio?userId=${alice.id}`, {
      token: bob.token,
    });
    expect(other.status).toBe(403);
    const realized = await server.request(
      "GET",
      `/api/trading/portfolio/realized?year=${year}&userId=${alice.id}`,
      {
        token: bob.token,
      },
    );
    expect(realized.status).toBe(403);
    const admin = await createUser(server.platform, { role: "admin" });
    const asAdmin = await portfolioOf(server, admin, alice.id);
    expect(asAdmin.holdings.find((h) => h.asset === "BTC")).toMatchObject({ realizedPnl: "6.13" });
    expect((await server.request("GET", "/api/trading/portfolio")).status).toBe(401);
    const badYear = await server.request("GET", "/api/trading/portfolio/realized?year=twenty", {
      token: bob.token,
    });
    expect(badYear.status).toBe(400);
  });

  it("a new user has an empty portfolio", async () => {
    const carol = await createUser(server.platform);
    expect(await portfolioOf(server, carol)).toMatchObject({
      holdings: [],
      totals: { marketValue: "0.00", unrealizedPnl: "0.00", realizedPnl: "0.00" },
    });
    expect(await holdingOf(server, carol, "BTC")).toBeUndefined();
  });
});
