import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService } from "../../src/platform/auth/tokens.js";
import type { Database } from "../../src/platform/db/index.js";
import { openPostgres } from "../../src/platform/db/postgres.js";
import { type Node, sharedNodeEnv, startNode, stopNode } from "../cluster.js";
import { createUser, type TestUser } from "../factories.js";
import { eventually, request } from "../harness.js";
import { tradingInvariants } from "./helpers.js";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
const SECRET = "failover-secret-failover-secret-0123456789";

// Two real server processes on one PostgreSQL schema and one Redis: needs the CI databases.
describe.skipIf(!DATABASE_URL || !REDIS_URL)("matching engine failover between two nodes", () => {
  const schema = `tfo_${randomBytes(5).toString("hex")}`;
  let db: Database;
  let nodes: Node[] = [];

  beforeAll(async () => {
    const url = DATABASE_URL ?? "";
    const env = await sharedNodeEnv({
      databaseUrl: url,
      redisUrl: REDIS_URL ?? "",
      schema,
      jwtSecret: SECRET,
      poolSize: 6,
      extra: { RATE_LIMIT_PAYMENTS: "100000/1m", TRADING_ENGINE_TICK_MS: "250" },
    });
    // One after the other: the first to finish migrating takes every lease.
    nodes = [await startNode(env)];
    nodes.push(await startNode(env));
    db = await openPostgres({ url, poolSize: 2, schema });
  }, 150_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => stopNode(n, "SIGKILL")));
    await db?.close();
    const dropper = await openPostgres({ url: DATABASE_URL ?? "", poolSize: 1 });
    await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dropper.close();
  }, 60_000);

  const holderPid = async (pairId: string) => {
    const { rows } = await db.query<{ holder: string | null; epoch: string }>(
      "SELECT holder, epoch FROM trading_pair_state WHERE pair_id = $1",
      [pairId],
    );
    const pid = Number(rows[0]?.holder?.split(":")[1]);
    if (!Number.isInteger(pid)) throw new Error("no holder yet");
    return { pid, epoch: Number(rows[0]?.epoch) };
  };

  it("killing the lease holder while orders stream in: the other node takes over, no order is lost, matched twice or left holding funds", async () => {
    const ctx = { db, tokens: createTokenService(SECRET, 3600) };
    const fund = async (node: Node, user: TestUser, asset: string, amount: string) => {
      const res = await request(node.url, "POST", `/api/wallet/${user.id}/deposits`, {
        token: user.token,
        body: { asset, amount, provider: "sandbox" },
        headers: { "idempotency-key": randomUUID() },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };
    const buyers: TestUser[] = [];
    const sellers: TestUser[] = [];
    for (let i = 0; i < 4; i++) {
      const buyer = await createUser(ctx, { kycLevel: 3 });
      await fund(nodes[0] as Node, buyer, "USD", "2000.00");
      buyers.push(buyer);
      const seller = await createUser(ctx, { kycLevel: 3 });
      await fund(nodes[1] as Node, seller, "BTC", "0.05");
      sellers.push(seller);
    }
    const first = await eventually(() => holderPid("BTC-USD"), 20_000);
    const holder = nodes.find((n) => n.process.pid === first.pid);
    const survivor = nodes.find((n) => n.process.pid !== first.pid);
    if (!holder || !survivor) throw new Error("the lease holder is not one of the two nodes");

    const acceptedIds: string[] = [];
    let killed = false;
    const place = async (i: number) => {
      const buy = i % 2 === 0;
      const users = buy ? buyers : sellers;
      const user = users[i % users.length] as TestUser;
      // Prices around 60,000 so that most orders cross and some rest.
      const price = `${60_000 + ((i * 7) % 5) * (buy ? 1 : -1) * 10}.00`;
      const quantity = `0.000${1 + (i % 4)}`;
      const target = killed || i % 2 === 0 ? survivor : holder;
      const res = await request(target.url, "POST", "/api/trading/orders", {
        token: user.token,
        body: { pairId: "BTC-USD", side: buy ? "buy" : "sell", type: "limit", price, quantity },
        headers: { "idempotency-key": randomUUID() },
      }).catch(() => null);
      if (res?.status === 202) acceptedIds.push(res.body.order.id);
    };
    for (let i = 0; i < 80; i += 4) {
      const batch = Promise.all([i, i + 1, i + 2, i + 3].map(place));
      // Killed with requests in flight to it and its engine busy with the orders before them.
      const killing = i === 28 ? stopNode(holder, "SIGKILL") : null;
      await batch;
      if (killing) {
        await killing;
        killed = true;
      }
    }
    expect(acceptedIds.length).toBeGreaterThanOrEqual(60);

    // The survivor takes the pair over and works through everything that was accepted.
    const takeover = await eventually(async () => {
      const now = await holderPid("BTC-USD");
      expect(now.pid).toBe(survivor.process.pid);
      return now;
    }, 20_000);
    expect(takeover.epoch).toBeGreaterThan(first.epoch);
    await eventually(async () => {
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM trading_orders WHERE seq IS NULL AND status = 'new'",
      );
      expect(rows[0]?.n).toBe("0");
    }, 30_000);

    const { rows: orders } = await db.query<{ id: string; filled_lots: string; traded: string }>(
      `SELECT o.id, o.filled_lots::text,
              (SELECT coalesce(sum(t.quantity_lots), 0)::text FROM trading_trades t
                WHERE t.maker_order_id = o.id OR t.taker_order_id = o.id) AS traded
         FROM trading_orders o`,
    );
    const known = new Set(orders.map((o) => o.id));
    expect(acceptedIds.filter((id) => !known.has(id))).toEqual([]);
    // Matched once: each order's fills add up to exactly the trades it took part in.
    expect(orders.filter((o) => o.filled_lots !== o.traded)).toEqual([]);
    const { rows: trades } = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM trading_trades");
    expect(Number(trades[0]?.n)).toBeGreaterThan(0);
    const { rows: dup } = await db.query(
      "SELECT pair_id, seq FROM trading_orders WHERE seq IS NOT NULL GROUP BY pair_id, seq HAVING count(*) > 1",
    );
    expect(dup).toEqual([]);

    // Every resting order cancelled through the survivor: then nobody holds anything.
    const { rows: open } = await db.query<{ id: string; user_id: string }>(
      "SELECT id, user_id FROM trading_orders WHERE status IN ('new', 'partially_filled')",
    );
    const tokens = new Map([...buyers, ...sellers].map((u) => [u.id, u.token]));
    for (const o of open) {
      const res = await request(survivor.url, "DELETE", `/api/trading/orders/${o.id}`, {
        token: tokens.get(o.user_id),
      });
      expect([200, 202]).toContain(res.status);
    }
    await eventually(async () => {
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM trading_orders WHERE status IN ('new', 'partially_filled')",
      );
      expect(rows[0]?.n).toBe("0");
    }, 15_000);
    const { rows: pendingFunds } = await db.query(
      "SELECT id FROM ledger_accounts WHERE user_id IS NOT NULL AND debits_pending <> 0",
    );
    expect(pendingFunds).toEqual([]);
    const { rows: imbalanced } = await db.query(
      `SELECT asset FROM ledger_accounts GROUP BY asset
        HAVING sum(credits_posted) <> sum(debits_posted) OR sum(credits_pending) <> sum(debits_pending)`,
    );
    expect(imbalanced).toEqual([]);
    const { rows: negative } = await db.query(
      "SELECT id FROM ledger_accounts WHERE user_id IS NOT NULL AND credits_posted - debits_posted - debits_pending < 0",
    );
    expect(negative).toEqual([]);
    expect(await tradingInvariants(db)).toEqual({
      closedButHolding: 0,
      openMismatch: 0,
      strayHolds: 0,
      settlementNotZero: [],
    });
  }, 180_000);
});
