import { afterEach, describe, expect, it } from "vitest";
import { tradingOf } from "../../src/modules/trading/index.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import {
  balanceOf,
  ledgerInvariants,
  placeOrder,
  systemBalance,
  trader,
  tradingInvariants,
} from "./helpers.js";

type Who = "b1" | "b2" | "s1" | "s2";

/**
 * Orders of four traders on BTC-USD, in intake order: partial fills on both sides, a maker filled by
 * several takers, IOC, FOK, a rejected post-only and a self-trade the engine prevents. (No market order:
 * it is priced from the live book at intake, and the batched run has no engine running then.)
 */
const SCRIPT: Array<[Who, Record<string, unknown>]> = [
  ["s1", { side: "sell", type: "limit", price: "60000.00", quantity: "0.002" }],
  ["s2", { side: "sell", type: "limit", price: "59990.00", quantity: "0.001" }],
  ["b1", { side: "buy", type: "limit", price: "60010.00", quantity: "0.0025" }],
  ["b2", { side: "buy", type: "limit", price: "60000.00", quantity: "0.001" }],
  ["s2", { side: "sell", type: "limit", price: "59950.00", quantity: "0.003" }],
  ["b1", { side: "buy", type: "limit", price: "59960.00", quantity: "0.001", timeInForce: "IOC" }],
  ["b2", { side: "buy", type: "limit", price: "59950.00", quantity: "0.001" }],
  ["s1", { side: "sell", type: "limit", price: "60100.00", quantity: "0.001" }],
  ["b1", { side: "buy", type: "limit", price: "59950.00", quantity: "0.0005", timeInForce: "FOK" }],
  ["b2", { side: "buy", type: "limit", price: "60100.00", quantity: "0.002", postOnly: true }],
  ["b1", { side: "sell", type: "limit", price: "60100.00", quantity: "0.001" }],
  ["s1", { side: "buy", type: "limit", price: "60100.00", quantity: "0.001" }],
  ["b2", { side: "buy", type: "limit", price: "60100.00", quantity: "0.0015" }],
];

const FUNDS: Record<Who, Record<string, string>> = {
  b1: { USD: "1000.00", BTC: "0.002" },
  b2: { USD: "1000.00" },
  s1: { BTC: "0.01", USD: "100.00" },
  s2: { BTC: "0.01" },
};

async function pendingCommands(server: TestServer): Promise<number> {
  const { rows } = await server.platform.db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM trading_orders WHERE status = 'new' AND seq IS NULL",
  );
  return Number(rows[0]?.n);
}

/** Everything a trader or the exchange could see once the script has run, with ids left out. */
async function outcome(
  server: TestServer,
  traders: Record<Who, { id: string; token: string }>,
  ids: string[],
) {
  const orders = [];
  for (const [i, id] of ids.entries()) {
    const who = SCRIPT[i]?.[0] ?? "b1";
    const res = await server.request("GET", `/api/trading/orders/${id}`, { token: traders[who].token });
    const o = res.body.order;
    orders.push([o.status, o.filledQuantity, o.averagePrice, o.fee]);
  }
  const balances: Record<string, unknown> = {};
  for (const [who, user] of Object.entries(traders)) {
    balances[who] = [await balanceOf(server, user, "USD"), await balanceOf(server, user, "BTC")];
  }
  const trades = await server.request("GET", "/api/trading/trades/BTC-USD");
  return {
    orders,
    balances,
    trades: trades.body.items.map((t: { price: string; quantity: string }) => [t.price, t.quantity]),
    fees: (await systemBalance(server.platform.db, "fees", "USD")).toString(),
  };
}

async function tradersOn(server: TestServer): Promise<Record<Who, { id: string; token: string }>> {
  const [b1, b2, s1, s2] = await Promise.all([
    trader(server, FUNDS.b1),
    trader(server, FUNDS.b2),
    trader(server, FUNDS.s1),
    trader(server, FUNDS.s2),
  ]);
  return { b1, b2, s1, s2 };
}

describe.each(engines)("a batch of commands settles as the same commands one by one on %s", (engine) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it("gives every order, balance, trade and fee exactly what one-at-a-time processing gives", async () => {
    // One by one: each order is matched and settled before the next is placed.
    const single = await startTestServer(engine);
    servers.push(single);
    const singleTraders = await tradersOn(single);
    const singleIds: string[] = [];
    for (const [who, body] of SCRIPT) {
      const res = await placeOrder(single, singleTraders[who], { pairId: "BTC-USD", ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      singleIds.push(res.body.order.id);
      await eventually(async () => expect(await pendingCommands(single)).toBe(0));
    }

    // Batched: every order waits in the journal until the engine starts, then all go in one transaction.
    const batched = await startTestServer(engine, { TRADING_RUN_ENGINES: "false" });
    servers.push(batched);
    const batchedTraders = await tradersOn(batched);
    const batchedIds: string[] = [];
    for (const [who, body] of SCRIPT) {
      const res = await placeOrder(batched, batchedTraders[who], { pairId: "BTC-USD", ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      batchedIds.push(res.body.order.id);
    }
    expect(await pendingCommands(batched)).toBe(SCRIPT.length);
    const { engines: pairEngines } = tradingOf(batched.platform);
    await pairEngines.start();
    try {
      await eventually(async () => expect(await pendingCommands(batched)).toBe(0));
      const { rows } = await batched.platform.db.query<{ n: string }>(
        "SELECT count(DISTINCT created_at)::text AS n FROM trading_trades",
      );
      // All the trades were written by one transaction (one commit timestamp).
      expect(rows[0]?.n).toBe("1");

      const expected = await outcome(single, singleTraders, singleIds);
      expect(expected.orders.map((o) => o[0])).toEqual([
        "filled",
        "filled",
        "filled",
        "filled",
        "filled",
        "filled",
        "filled",
        "filled",
        "filled",
        "rejected",
        "partially_filled",
        "canceled",
        "filled",
      ]);
      expect(await outcome(batched, batchedTraders, batchedIds)).toEqual(expected);
      for (const server of [single, batched]) {
        expect(await ledgerInvariants(server)).toEqual({
          imbalanced: [],
          negativeUsers: 0,
          mismatchedTotals: 0,
        });
        expect(await tradingInvariants(server.platform.db)).toEqual({
          closedButHolding: 0,
          openMismatch: 0,
          strayHolds: 0,
          settlementNotZero: [],
        });
      }
    } finally {
      await pairEngines.stop();
    }
  });
});
