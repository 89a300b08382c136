import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transfer } from "../../src/modules/wallet/ledger/index.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { balanceOf, ledgerInvariants, orderWhen, placeOrder, trader, tradingInvariants } from "./helpers.js";

const bid = (price: string, quantity = "0.001") => ({
  pairId: "BTC-USD",
  side: "buy",
  type: "limit",
  price,
  quantity,
});

/** Batches written so far and the orders they held, from /metrics. */
async function intakeBatches(server: TestServer): Promise<{ batches: number; orders: number }> {
  const text = String((await server.request("GET", "/metrics")).body);
  const count = /trading_intake_batch_orders_count (\d+)/.exec(text)?.[1];
  const sum = /trading_intake_batch_orders_sum (\d+)/.exec(text)?.[1];
  return { batches: Number(count ?? 0), orders: Number(sum ?? 0) };
}

describe.each(engines)("orders accepted together on %s", (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    // A wide window, so that requests sent at once are sure to share a transaction.
    server = await startTestServer(engine, { TRADING_INTAKE_WINDOW_MS: "25" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("each order of a burst gets its own answer: funded ones rest, refused ones leave nothing, keys replay", async () => {
    const rich = await Promise.all([1, 2, 3].map(() => trader(server, { USD: "500.00" })));
    const poor = await trader(server, { USD: "10.00" });
    const frozen = await trader(server, { USD: "500.00" }, { frozen: true });
    const overLimit = await trader(server, { USD: "5000.00" }, { kycLevel: 1 });
    const before = await intakeBatches(server);

    const key = randomUUID();
    const clashing = randomUUID();
    const replies = await Promise.all([
      ...rich.flatMap((u, i) => [
        placeOrder(server, u, bid(`5000${i}.00`)),
        placeOrder(server, u, bid("49000.00")),
      ]),
      placeOrder(server, poor, bid("50000.00")),
      placeOrder(server, frozen, bid("50000.00")),
      placeOrder(server, overLimit, bid("50000.00", "0.01")),
      // The same request twice with one key, and one key used for two different requests.
      placeOrder(server, rich[0] ?? poor, bid("48000.00"), key),
      placeOrder(server, rich[0] ?? poor, bid("48000.00"), key),
      placeOrder(server, rich[1] ?? poor, bid("47000.00"), clashing),
      placeOrder(server, rich[1] ?? poor, bid("46000.00"), clashing),
    ]);
    const [r0, r1, r2, r3, r4, r5, poorReply, frozenReply, limitReply, same1, same2, clash1, clash2] =
      replies;

    for (const r of [r0, r1, r2, r3, r4, r5]) expect(r?.status, JSON.stringify(r?.body)).toBe(202);
    expect([poorReply?.status, poorReply?.body.error.code]).toEqual([422, "insufficient_funds"]);
    expect([frozenReply?.status, frozenReply?.body.error.code]).toEqual([422, "account_frozen"]);
    expect([limitReply?.status, limitReply?.body.error.code]).toEqual([422, "kyc_limit_exceeded"]);
    expect([same1?.status, same2?.status]).toEqual([202, 202]);
    expect(same2?.body.order.id).toBe(same1?.body.order.id);
    expect([clash1?.status, clash2?.status].sort()).toEqual([202, 422]);
    expect([clash1, clash2].find((r) => r?.status === 422)?.body.error.code).toBe("idempotency_mismatch");

    const after = await intakeBatches(server);
    expect(after.orders - before.orders).toBeGreaterThanOrEqual(replies.length - 2);
    expect(after.batches - before.batches).toBeLessThan(replies.length / 2);

    // Every accepted order reached the book holding exactly its funds; the refused hold nothing.
    const accepted = replies.filter((r) => r.status === 202).map((r) => r.body.order.id as string);
    const ids = [...new Set(accepted)];
    expect(ids).toHaveLength(8);
    const { rows } = await server.platform.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM trading_orders WHERE id = ANY($1::uuid[])",
      [ids],
    );
    expect(rows[0]?.n).toBe("8");
    const owners = new Map(rich.map((u) => [u.id, u]));
    for (const id of ids) {
      const { rows: o } = await server.platform.db.query<{ user_id: string }>(
        "SELECT user_id FROM trading_orders WHERE id = $1",
        [id],
      );
      const owner = owners.get(o[0]?.user_id ?? "");
      if (!owner) throw new Error(`order ${id} has an unexpected owner`);
      const stored = await orderWhen(server, owner, id, (order) => order.status === "new");
      // What the 202 said is what was stored (only updatedAt moves, once the engine has placed it).
      const answered = replies.find((r) => r.status === 202 && r.body.order.id === id)?.body.order;
      expect({ ...stored, updatedAt: null }).toEqual({ ...answered, updatedAt: null });
    }
    for (const u of [poor, frozen, overLimit]) {
      const { rows: none } = await server.platform.db.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM trading_orders WHERE user_id = $1",
        [u.id],
      );
      expect(none[0]?.n).toBe("0");
    }
    expect(await balanceOf(server, poor, "USD")).toMatchObject({ available: "10.00", pending: "0.00" });
    expect(await balanceOf(server, frozen, "USD")).toMatchObject({ available: "500.00", pending: "0.00" });

    // A replay after the burst still answers with the first order, and the mismatch stays refused.
    const replay = await placeOrder(server, rich[0] ?? poor, bid("48000.00"), key);
    expect([replay.status, replay.body.order.id]).toEqual([202, same1?.body.order.id]);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
    expect(await tradingInvariants(server.platform.db)).toMatchObject({ openMismatch: 0, strayHolds: 0 });
  });

  it.runIf(engine === "postgres")(
    "an order whose funds another writer spends while its batch is being written is refused, holding nothing",
    async () => {
      const buyer = await trader(server, { USD: "90.00" });
      const friend = await trader(server, {});
      let reply: Promise<Awaited<ReturnType<typeof placeOrder>>> | undefined;
      await server.platform.db.transaction(async (tx) => {
        // Spends 50.00 of the buyer's 90.00 and keeps the account locked until this transaction commits.
        await transfer(server.platform, tx, [
          {
            from: { userId: buyer.id },
            to: { userId: friend.id },
            asset: "USD",
            amount: 5_000n,
            kind: "transfer",
          },
        ]);
        // The order (50.55 with fees) is planned on the 90.00 last committed, then waits for the lock.
        reply = placeOrder(server, buyer, bid("50000.00"));
        await eventually(async () => {
          const { rows } = await tx.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))",
          );
          expect(rows[0]?.n).toBeGreaterThan(0);
        });
      });
      const res = await reply;
      expect([res?.status, res?.body.error?.code]).toEqual([422, "insufficient_funds"]);
      expect(await balanceOf(server, buyer, "USD")).toMatchObject({ available: "40.00", pending: "0.00" });
      const { rows } = await server.platform.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM trading_orders WHERE user_id = $1",
        [buyer.id],
      );
      expect(rows[0]?.n).toBe(0);
      expect(await ledgerInvariants(server)).toEqual({
        imbalanced: [],
        negativeUsers: 0,
        mismatchedTotals: 0,
      });
      expect(await tradingInvariants(server.platform.db)).toMatchObject({ openMismatch: 0, strayHolds: 0 });
    },
  );
});
