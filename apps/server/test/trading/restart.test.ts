import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/platform/db/index.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { createUser, type TestUser } from "../factories.js";
import { createTestDatabase, type Engine, engines, request, testConfig } from "../harness.js";
import { deposit } from "../wallet/helpers.js";
import { ledgerInvariants, orderWhen, placeOrder, tradingInvariants } from "./helpers.js";

/** The same database for successive nodes: closing a node must not close it. */
function outliving(db: Database): Database {
  return {
    engine: db.engine,
    query: (sql, params) => db.query(sql, params),
    transaction: (fn, options) => db.transaction(fn, options),
    withLock: (key, fn) => db.withLock(key, fn),
    close: async () => {},
  };
}

interface Node extends RunningServer {
  request: (
    method: string,
    path: string,
    options?: Parameters<typeof request>[3],
  ) => ReturnType<typeof request>;
}

describe.each(engines)("trading across a restart on %s", (engine: Engine) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function startNode(db: Database, env: Record<string, string> = {}): Promise<Node> {
    const config = testConfig(engine, env);
    const node = await startServer(config, { db });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await node.close();
      rmSync(config.DATA_DIR, { recursive: true, force: true });
    };
    cleanups.push(close);
    return { ...node, close, request: (method, path, options) => request(node.url, method, path, options) };
  }

  it("a new node rebuilds the book: resting orders survive, an order accepted but never matched is picked up, nothing is duplicated", async () => {
    const testDb = await createTestDatabase(engine);
    cleanups.push(() => testDb.cleanup());
    const db = outliving(testDb.db);

    const first = await startNode(db);
    const alice: TestUser = await createUser(first.platform);
    const bob: TestUser = await createUser(first.platform);
    await deposit({ ...first, engine, testDb }, alice, "USD", "500.00");
    await deposit({ ...first, engine, testDb }, bob, "BTC", "0.01");
    const limit = (side: string, price: string, quantity: string) => ({
      pairId: "BTC-USD",
      side,
      type: "limit",
      price,
      quantity,
    });
    const asks = [
      (await placeOrder(first, bob, limit("sell", "60000.00", "0.001"))).body.order.id,
      (await placeOrder(first, bob, limit("sell", "61000.00", "0.001"))).body.order.id,
    ];
    const bid = (await placeOrder(first, alice, limit("buy", "50000.00", "0.001"))).body.order.id;
    for (const id of asks) await orderWhen(first, bob, id, (o) => o.status === "new");
    await orderWhen(first, alice, bid, (o) => o.status === "new");
    await first.close();

    // A node that runs no engine accepts an order: it is held and journaled, and nobody matches it yet.
    const apiOnly = await startNode(db, { TRADING_RUN_ENGINES: "false" });
    const crossing = await placeOrder(apiOnly, alice, limit("buy", "60000.00", "0.001"));
    expect(crossing.status).toBe(202);
    const pending = await apiOnly.request("GET", `/api/trading/orders/${crossing.body.order.id}`, {
      token: alice.token,
    });
    expect(pending.body.order.status).toBe("new");
    await apiOnly.close();

    const second = await startNode(db);
    const filled = await orderWhen(second, alice, crossing.body.order.id, (o) => o.status === "filled");
    expect(filled.averagePrice).toBe("60000.00");
    await orderWhen(second, bob, asks[0] ?? "", (o) => o.status === "filled");
    await orderWhen(second, bob, asks[1] ?? "", (o) => o.status === "new");
    await orderWhen(second, alice, bid, (o) => o.status === "new");

    // A later order matches the rebuilt book in price-time order.
    const later = await placeOrder(second, alice, limit("buy", "61000.00", "0.001"));
    await orderWhen(second, alice, later.body.order.id, (o) => o.status === "filled");
    const book = await second.request("GET", "/api/crypto/orderbook/BTC-USD");
    expect(book.body).toMatchObject({ bids: [["50000.00", "0.00100"]], asks: [] });

    const trades = await second.request("GET", "/api/trading/trades/BTC-USD");
    expect(trades.body.items.map((t: { price: string }) => t.price)).toEqual(["61000.00", "60000.00"]);
    const { rows } = await db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM trading_orders WHERE seq IS NOT NULL GROUP BY pair_id, seq HAVING count(*) > 1",
    );
    expect(rows).toEqual([]);
    const server = { ...second, engine, testDb };
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
    expect(await tradingInvariants(db)).toEqual({
      closedButHolding: 0,
      openMismatch: 0,
      strayHolds: 0,
      settlementNotZero: [],
    });
  });
});
