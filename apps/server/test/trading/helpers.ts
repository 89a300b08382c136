import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { Queryable } from "../../src/platform/db/index.js";
import { createUser, type TestUser } from "../factories.js";
import { eventually, type TestResponse, type TestServer } from "../harness.js";
import { deposit } from "../wallet/helpers.js";

export { balanceOf, ledgerInvariants } from "../wallet/helpers.js";

/** A signed-in user (KYC level 2 unless told) with sandbox deposits already credited. */
export async function trader(
  server: TestServer,
  funds: Record<string, string>,
  attrs: Parameters<typeof createUser>[1] = {},
): Promise<TestUser> {
  const user = await createUser(server.platform, { kycLevel: 2, ...attrs });
  for (const [asset, amount] of Object.entries(funds)) await deposit(server, user, asset, amount);
  return user;
}

/** Places an order over HTTP with a fresh Idempotency-Key (or the one given). */
export function placeOrder(
  server: Pick<TestServer, "request">,
  user: { token: string },
  body: Record<string, unknown>,
  key: string = randomUUID(),
): Promise<TestResponse> {
  return server.request("POST", "/api/trading/orders", {
    token: user.token,
    body,
    headers: { "idempotency-key": key },
  });
}

/** Places an order and expects it accepted (202); returns the order. */
export async function accepted(
  server: Pick<TestServer, "request">,
  user: { token: string },
  body: Record<string, unknown>,
) {
  const res = await placeOrder(server, user, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.order as { id: string; status: string };
}

/** Polls the order until `check` accepts it; returns it. */
export function orderWhen(
  server: Pick<TestServer, "request">,
  user: { token: string },
  orderId: string,
  check: (order: Record<string, string>) => boolean,
  timeoutMs = 8000,
) {
  return eventually(async () => {
    const res = await server.request("GET", `/api/trading/orders/${orderId}`, { token: user.token });
    expect(res.status).toBe(200);
    if (!check(res.body.order)) throw new Error(`order is ${JSON.stringify(res.body.order)}`);
    return res.body.order as Record<string, string>;
  }, timeoutMs);
}

/** Balance of a system account (sum of its shards) in minor units. */
export async function systemBalance(db: Queryable, name: string, asset: string): Promise<bigint> {
  const { rows } = await db.query<{ net: string | null }>(
    `SELECT (sum(credits_posted) - sum(debits_posted))::text AS net FROM ledger_accounts
      WHERE system_name = $1 AND asset = $2`,
    [name, asset],
  );
  return BigInt(rows[0]?.net ?? "0");
}

/**
 * The pipeline's own invariants: every order that is over has its hold closed, every open order's hold is
 * still pending for exactly the amount the order says, no pending trade hold belongs to no open order, and
 * the exchange settlement account is back to zero in every asset.
 */
export async function tradingInvariants(db: Queryable) {
  const closedButHolding = await db.query<{ id: string }>(
    `SELECT o.id FROM trading_orders o
       JOIN ledger_transfers t ON t.metadata->>'orderId' = o.id::text AND t.flags = 'pending'
       JOIN ledger_holds h ON h.transfer_id = t.id AND h.status = 'pending'
      WHERE o.status NOT IN ('new', 'partially_filled')`,
  );
  const openMismatch = await db.query<{ id: string }>(
    `SELECT o.id FROM trading_orders o
       LEFT JOIN ledger_holds h ON h.transfer_id = o.hold_id
       LEFT JOIN ledger_transfers t ON t.id = o.hold_id
      WHERE o.status IN ('new', 'partially_filled')
        AND (h.status IS DISTINCT FROM 'pending' OR t.amount <> o.hold_amount)`,
  );
  const strayHolds = await db.query<{ id: string }>(
    `SELECT t.id FROM ledger_transfers t JOIN ledger_holds h ON h.transfer_id = t.id AND h.status = 'pending'
      WHERE t.kind = 'trade' AND NOT EXISTS (SELECT 1 FROM trading_orders o WHERE o.hold_id = t.id)`,
  );
  const settlement = await db.query<{ asset: string; net: string }>(
    `SELECT asset, (sum(credits_posted) - sum(debits_posted))::text AS net FROM ledger_accounts
      WHERE system_name = 'exchange_settlement' GROUP BY asset HAVING sum(credits_posted) <> sum(debits_posted)`,
  );
  return {
    closedButHolding: closedButHolding.rows.length,
    openMismatch: openMismatch.rows.length,
    strayHolds: strayHolds.rows.length,
    settlementNotZero: settlement.rows,
  };
}
