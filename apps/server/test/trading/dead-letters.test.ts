import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hold } from "../../src/modules/wallet/ledger/index.js";
import { createUser } from "../factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { accepted, balanceOf, orderWhen, trader, tradingInvariants } from "./helpers.js";

describe.each(engines)("orders that keep failing on %s", (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(engine, {
      TRADING_ORDER_MAX_ATTEMPTS: "3",
      TRADING_ORDER_RETRY_MS: "50",
      TRADING_ENGINE_TICK_MS: "100",
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  /**
   * An accepted buy whose hold cannot pay for its fill (1 cent held for a 60.00 order). No API call can make
   * one, so it is written the way the placement would write it, with a hold that is too small.
   */
  async function underfundedBuy(userId: string): Promise<string> {
    const orderId = randomUUID();
    const { platform } = server;
    await platform.db.transaction(async (tx) => {
      const holdId = await hold(platform, tx, {
        from: { userId },
        to: { system: "exchange_settlement" },
        asset: "USD",
        amount: 1n,
        kind: "trade",
        metadata: { orderId, pairId: "BTC-USD" },
      });
      await tx.query(
        `INSERT INTO trading_orders (id, user_id, pair_id, side, type, time_in_force, price_ticks, quantity_lots,
           hold_asset, hold_total, hold_id, hold_amount)
         VALUES ($1, $2, 'BTC-USD', 'buy', 'limit', 'GTC', 6000000, 100, 'USD', 1, $3, 1)`,
        [orderId, userId, holdId],
      );
    });
    await platform.jobs.enqueue(
      "trading.orders",
      { pairId: "BTC-USD", commands: [{ orderId, kind: "place" }] },
      {
        jobId: `place:${orderId}`,
        attempts: 3,
        backoffMs: 50,
      },
    );
    return orderId;
  }

  it("is retried, then parked in the admins' dead-letter list with its funds still held, while the pair keeps trading", async () => {
    const seller = await trader(server, { BTC: "0.01" });
    const victim = await trader(server, { USD: "100.00" });
    const admin = await createUser(server.platform, { role: "admin" });
    const ask = await accepted(server, seller, {
      pairId: "BTC-USD",
      side: "sell",
      type: "limit",
      price: "60000.00",
      quantity: "0.001",
    });
    await orderWhen(server, seller, ask.id, (o) => o.status === "new");

    const poisoned = await underfundedBuy(victim.id);
    const letters = await eventually(async () => {
      const res = await server.request("GET", "/api/admin/trading/dead-letters", { token: admin.token });
      expect(res.status).toBe(200);
      const kinds = res.body.items.map((l: { kind: string; id: string }) => `${l.kind}:${l.id}`);
      expect(kinds).toEqual(expect.arrayContaining([`order:${poisoned}`, `job:place:${poisoned}`]));
      return res.body.items;
    }, 15_000);
    expect(letters.find((l: { kind: string }) => l.kind === "order")).toMatchObject({
      pairId: "BTC-USD",
      userId: victim.id,
      attempts: 3,
      held: { asset: "USD", amount: "0.01" },
    });
    expect(
      (await server.request("GET", "/api/admin/trading/dead-letters", { token: victim.token })).status,
    ).toBe(403);
    expect(await balanceOf(server, victim, "USD")).toMatchObject({ available: "99.99", pending: "0.01" });

    // The failed fill left no trace: the ask still rests whole, and the next buyer gets it.
    const buyer = await trader(server, { USD: "100.00" });
    const buy = await accepted(server, buyer, {
      pairId: "BTC-USD",
      side: "buy",
      type: "limit",
      price: "60000.00",
      quantity: "0.001",
    });
    await orderWhen(server, buyer, buy.id, (o) => o.status === "filled");
    await orderWhen(server, seller, ask.id, (o) => o.status === "filled" && o.filledQuantity === "0.00100");

    // Its owner can still cancel it, which releases what it held.
    const cancel = await server.request("DELETE", `/api/trading/orders/${poisoned}`, { token: victim.token });
    expect([cancel.status, cancel.body.order.status]).toEqual([200, "canceled"]);
    expect(await balanceOf(server, victim, "USD")).toMatchObject({ available: "100.00", pending: "0.00" });
    expect(await tradingInvariants(server.platform.db)).toMatchObject({ closedButHolding: 0, strayHolds: 0 });
  });
});
