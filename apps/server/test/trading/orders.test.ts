import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { connectSocket, type TestSocket } from "../realtime/socket-client.js";
import {
  accepted,
  balanceOf,
  ledgerInvariants,
  orderWhen,
  placeOrder,
  systemBalance,
  trader,
  tradingInvariants,
} from "./helpers.js";

describe.each(engines)("trading orders on %s", (engine) => {
  let server: TestServer;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  const socketOf = async (token: string) => {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    return s;
  };

  it("two users' crossing orders fill: both see order_update and balance_update, balances move by price × quantity plus fees", async () => {
    const alice = await trader(server, { USD: "1000.00" });
    const bob = await trader(server, { BTC: "0.01" });
    const [aliceLive, bobLive] = [await socketOf(alice.token), await socketOf(bob.token)];
    const feesBefore = await systemBalance(server.platform.db, "fees", "USD");

    const sell = await accepted(server, bob, {
      pairId: "BTC-USD",
      side: "sell",
      type: "limit",
      price: "60000.00",
      quantity: "0.001",
    });
    expect(sell.status).toBe("new");
    await orderWhen(server, bob, sell.id, (o) => o.status === "new");
    const buy = await accepted(server, alice, {
      pairId: "BTC-USD",
      side: "buy",
      type: "limit",
      price: "60000.00",
      quantity: "0.001",
    });

    await aliceLive.waitFor("order_update", (e) => e.orderId === buy.id && e.status === "filled");
    await bobLive.waitFor("order_update", (e) => e.orderId === sell.id && e.status === "filled");
    await aliceLive.waitFor("balance_update", (e) => e.asset === "BTC" && e.available === "0.00100000");
    await bobLive.waitFor("balance_update", (e) => e.asset === "USD" && e.available === "59.35");

    // 60.00 notional; each side pays 1% (0.60) plus the fixed 0.05: the buyer pays 60.65, the seller gets 59.35.
    expect(await balanceOf(server, alice, "USD")).toMatchObject({ available: "939.35", pending: "0.00" });
    expect(await balanceOf(server, alice, "BTC")).toMatchObject({
      available: "0.00100000",
      pending: "0.00000000",
    });
    expect(await balanceOf(server, bob, "BTC")).toMatchObject({
      available: "0.00900000",
      pending: "0.00000000",
    });
    expect(await balanceOf(server, bob, "USD")).toMatchObject({ available: "59.35", pending: "0.00" });
    expect((await systemBalance(server.platform.db, "fees", "USD")) - feesBefore).toBe(130n);

    const filled = await orderWhen(server, alice, buy.id, (o) => o.status === "filled");
    expect(filled).toMatchObject({
      filledQuantity: "0.00100",
      averagePrice: "60000.00",
      fee: "0.65",
      price: "60000.00",
      quantity: "0.00100",
    });
    const trades = await server.request("GET", "/api/trading/trades/BTC-USD");
    expect(trades.body.items[0]).toMatchObject({ price: "60000.00", quantity: "0.00100", takerSide: "buy" });
    const notice = await aliceLive.waitFor("new_notification", (e) => e.notification.type === "trade");
    // Written at the settlement's commit from a record built beforehand: what was pushed is what is stored.
    const stored = await server.request("GET", `/api/notifications/${alice.id}`, { token: alice.token });
    expect(stored.body.items).toContainEqual(notice.notification);
    expect(notice.notification).toMatchObject({
      title: "Order filled",
      body: "Bought 0.00100 BTC at 60000.00 USD (BTC/USD)",
      read: false,
    });
    // Other modules (the portfolio) learn of fills from this topic: cumulative, in minor units.
    const { rows } = await server.platform.db.query<{ payload: { fills: Array<Record<string, string>> } }>(
      "SELECT payload FROM outbox WHERE topic = 'trading.fills_settled'",
    );
    const fills = rows.flatMap((r) => r.payload.fills);
    expect(fills.find((f) => f.orderId === buy.id)).toMatchObject({
      userId: alice.id,
      side: "buy",
      filledBase: "100000",
      quoteTotal: "6065",
    });
    expect(fills.find((f) => f.orderId === sell.id)).toMatchObject({ side: "sell", quoteTotal: "5935" });

    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
    expect(await tradingInvariants(server.platform.db)).toEqual({
      closedButHolding: 0,
      openMismatch: 0,
      strayHolds: 0,
      settlementNotZero: [],
    });
  });

  it("an order rests with its funds held, and cancelling it releases the hold", async () => {
    const carol = await trader(server, { USD: "500.00" });
    const order = await accepted(server, carol, {
      pairId: "BTC-USD",
      side: "buy",
      type: "limit",
      price: "30000.00",
      quantity: "0.001",
    });
    await orderWhen(server, carol, order.id, (o) => o.status === "new");
    const held = await balanceOf(server, carol, "USD");
    // 30.00 at the limit + 1% (0.30) + rounding slack (0.03) + the fixed fee of up to 10 fills (0.50).
    expect(held).toMatchObject({ available: "469.17", pending: "30.83", total: "500.00" });

    const res = await server.request("DELETE", `/api/trading/orders/${order.id}`, { token: carol.token });
    expect(res.status).toBe(200);
    expect(res.body.order).toMatchObject({ id: order.id, status: "canceled", filledQuantity: "0.00000" });
    expect(await balanceOf(server, carol, "USD")).toMatchObject({ available: "500.00", pending: "0.00" });
    const again = await server.request("PUT", `/api/trading/orders/${order.id}`, {
      token: carol.token,
      body: { action: "cancel" },
    });
    expect(again.status).toBe(200);
    expect(again.body.order.status).toBe("canceled");
    expect(await tradingInvariants(server.platform.db)).toMatchObject({ closedButHolding: 0, strayHolds: 0 });
  });

  it("an order that cannot be funded is refused with insufficient_funds and leaves nothing behind", async () => {
    const dave = await trader(server, { USD: "10.00" });
    const res = await placeOrder(server, dave, {
      pairId: "BTC-USD",
      side: "buy",
      type: "limit",
      price: "60000.00",
      quantity: "0.001",
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("insufficient_funds");
    const mine = await server.request("GET", "/api/trading/orders", { token: dave.token });
    expect(mine.body).toEqual({ items: [], nextCursor: null });
    expect(await balanceOf(server, dave, "USD")).toMatchObject({ available: "10.00", pending: "0.00" });
    const holds = await server.platform.db.query(
      `SELECT 1 FROM ledger_transfers t JOIN ledger_accounts a ON a.id = t.debit_account_id
        WHERE a.user_id = $1 AND t.flags = 'pending'`,
      [dave.id],
    );
    expect(holds.rows).toHaveLength(0);
  });

  it("refuses orders off the tick or lot, under the minimum, from frozen accounts or over the KYC limit", async () => {
    const erin = await trader(server, { USD: "5000.00" }, { kycLevel: 1 });
    const base = { pairId: "BTC-USD", side: "buy", type: "limit", price: "60000.00", quantity: "0.001" };
    const offTick = await placeOrder(server, erin, { ...base, price: "60000.005" });
    expect([offTick.status, offTick.body.error.code]).toEqual([400, "validation_failed"]);
    expect(offTick.body.error.details.fields[0].path).toBe("body.price");
    const offLot = await placeOrder(server, erin, { ...base, quantity: "0.000001" });
    expect([offLot.status, offLot.body.error.details.fields[0].path]).toEqual([400, "body.quantity"]);
    const tiny = await placeOrder(server, erin, { ...base, price: "1.00", quantity: "0.01" });
    expect([tiny.status, tiny.body.error.code]).toEqual([400, "validation_failed"]);
    const unknownPair = await placeOrder(server, erin, { ...base, pairId: "DOGE-USD" });
    expect(unknownPair.status).toBe(400);
    const overLimit = await placeOrder(server, erin, { ...base, quantity: "0.002" });
    expect([overLimit.status, overLimit.body.error.code]).toEqual([422, "kyc_limit_exceeded"]);
    const frozen = await trader(server, { USD: "100.00" });
    await server.platform.db.query("UPDATE users SET frozen = true WHERE id = $1", [frozen.id]);
    const refused = await placeOrder(server, frozen, { ...base, quantity: "0.0001" });
    expect([refused.status, refused.body.error.code]).toEqual([422, "account_frozen"]);
    expect(await balanceOf(server, erin, "USD")).toMatchObject({ pending: "0.00" });
  });

  it("a second order with the same Idempotency-Key returns the first order; another body is a mismatch", async () => {
    const fay = await trader(server, { USD: "200.00" });
    const body = { pairId: "ETH-USD", side: "buy", type: "limit", price: "1000.00", quantity: "0.01" };
    const first = await placeOrder(server, fay, body, "fay-order-1");
    const replay = await placeOrder(server, fay, body, "fay-order-1");
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body.order.id).toBe(first.body.order.id);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const other = await placeOrder(server, fay, { ...body, price: "1001.00" }, "fay-order-1");
    expect([other.status, other.body.error.code]).toEqual([422, "idempotency_mismatch"]);
    const mine = await server.request("GET", "/api/trading/orders?pairId=ETH-USD", { token: fay.token });
    expect(mine.body.items).toHaveLength(1);
  });

  it("an order is visible to its owner and admins only", async () => {
    const gus = await trader(server, { USD: "100.00" });
    const other = await createUser(server.platform);
    const admin = await createUser(server.platform, { role: "admin" });
    const order = await accepted(server, gus, {
      pairId: "ETH-USD",
      side: "buy",
      type: "limit",
      price: "100.00",
      quantity: "0.1",
    });
    const path = `/api/trading/orders/${order.id}`;
    expect((await server.request("GET", path, { token: other.token })).status).toBe(403);
    expect((await server.request("DELETE", path, { token: other.token })).status).toBe(403);
    expect((await server.request("GET", path, { token: admin.token })).status).toBe(200);
    expect((await server.request("GET", path)).status).toBe(401);
    const missing = await server.request("GET", "/api/trading/orders/00000000-0000-4000-8000-000000000000", {
      token: gus.token,
    });
    expect(missing.status).toBe(404);
  });

  it("an order that would trade with its owner's own resting order is canceled, and a crossing post-only order is rejected", async () => {
    const hal = await trader(server, { USD: "200.00", SOFT: "1000" });
    const ask = await accepted(server, hal, {
      pairId: "SOFT-USD",
      side: "sell",
      type: "limit",
      price: "0.2000",
      quantity: "100",
    });
    await orderWhen(server, hal, ask.id, (o) => o.status === "new");
    const own = await accepted(server, hal, {
      pairId: "SOFT-USD",
      side: "buy",
      type: "limit",
      price: "0.2000",
      quantity: "100",
    });
    const canceled = await orderWhen(server, hal, own.id, (o) => o.status === "canceled");
    expect(canceled.filledQuantity).toBe("0");
    await orderWhen(server, hal, ask.id, (o) => o.status === "new");

    const ivy = await trader(server, { USD: "100.00" });
    const postOnly = await accepted(server, ivy, {
      pairId: "SOFT-USD",
      side: "buy",
      type: "limit",
      price: "0.2000",
      quantity: "10",
      postOnly: true,
    });
    await orderWhen(server, ivy, postOnly.id, (o) => o.status === "rejected");
    expect(await balanceOf(server, ivy, "USD")).toMatchObject({ available: "100.00", pending: "0.00" });
    expect(await balanceOf(server, hal, "USD")).toMatchObject({ available: "200.00", pending: "0.00" });
  });

  it("partial fills leave the maker resting; an IOC remainder expires and a market order sweeps the book", async () => {
    const maker = await trader(server, { ETH: "1" });
    const taker = await trader(server, { USD: "900.00" });
    const ask = await accepted(server, maker, {
      pairId: "ETH-USD",
      side: "sell",
      type: "limit",
      price: "3000.00",
      quantity: "0.1",
    });
    await orderWhen(server, maker, ask.id, (o) => o.status === "new");
    const ioc = await accepted(server, taker, {
      pairId: "ETH-USD",
      side: "buy",
      type: "limit",
      price: "3000.00",
      quantity: "0.04",
      timeInForce: "IOC",
    });
    await orderWhen(server, taker, ioc.id, (o) => o.status === "filled");
    await orderWhen(
      server,
      maker,
      ask.id,
      (o) => o.status === "partially_filled" && o.filledQuantity === "0.0400",
    );
    const sweep = await accepted(server, taker, {
      pairId: "ETH-USD",
      side: "buy",
      type: "market",
      quantity: "0.1",
    });
    const swept = await orderWhen(server, taker, sweep.id, (o) => o.status === "expired");
    expect(swept.filledQuantity).toBe("0.0600");
    await orderWhen(server, maker, ask.id, (o) => o.status === "filled");
    // 0.1 ETH for 300.00 in two fills; the buyer paid 1% and 0.05 per fill on each: 303.10 in all.
    await eventually(async () =>
      expect(await balanceOf(server, taker, "USD")).toMatchObject({ available: "596.90", pending: "0.00" }),
    );
    expect(await balanceOf(server, taker, "ETH")).toMatchObject({ available: "0.100000000000000000" });

    const candles = await server.request("GET", "/api/trading/candles/ETH-USD?interval=1m");
    expect(candles.body.items.reduce((n: number, c: { trades: number }) => n + c.trades, 0)).toBe(2);
    expect(candles.body.items.at(-1)).toMatchObject({ close: "3000.00", high: "3000.00" });
    const ticker = await server.request("GET", "/api/trading/ticker/ETH-USD");
    expect(ticker.body).toMatchObject({
      pairId: "ETH-USD",
      last: "3000.00",
      volume: "0.1000",
      quoteVolume: "300.00",
      trades: 2,
    });
    expect(await tradingInvariants(server.platform.db)).toEqual({
      closedButHolding: 0,
      openMismatch: 0,
      strayHolds: 0,
      settlementNotZero: [],
    });
  });
});
