import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { TestServer } from "../harness.js";

/** Deposits through the sandbox provider over HTTP; returns the reply body. */
export async function deposit(
  server: TestServer,
  user: { id: string; token: string },
  asset: string,
  amount: string,
): Promise<unknown> {
  const res = await server.request("POST", `/api/wallet/${user.id}/deposits`, {
    token: user.token,
    body: { asset, amount, provider: "sandbox" },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The user's balance in one asset, as the API shows it. */
export async function balanceOf(
  server: TestServer,
  user: { id: string; token: string },
  asset: string,
): Promise<{ asset: string; available: string; pending: string; total: string }> {
  const res = await server.request("GET", `/api/wallet/${user.id}/balance`, { token: user.token });
  expect(res.status).toBe(200);
  const found = res.body.balances.find((b: { asset: string }) => b.asset === asset);
  if (!found) throw new Error(`no ${asset} balance`);
  return found;
}

/** Sends a transfer over HTTP. */
export function sendTransfer(
  server: TestServer,
  from: { id: string; token: string },
  body: Record<string, unknown>,
  key: string = randomUUID(),
) {
  return server.request("POST", `/api/wallet/${from.id}/transfer`, {
    token: from.token,
    body,
    headers: { "idempotency-key": key },
  });
}

/** Sums of every account per asset and any user account below zero: the ledger's invariants. */
export async function ledgerInvariants(server: TestServer): Promise<{
  imbalanced: { asset: string; net: string; pendingNet: string }[];
  negativeUsers: number;
  mismatchedTotals: number;
}> {
  const { db } = server.platform;
  const imbalanced = await db.query<{ asset: string; net: string; pendingNet: string }>(
    `SELECT asset, (sum(credits_posted) - sum(debits_posted))::text AS net,
            (sum(credits_pending) - sum(debits_pending))::text AS "pendingNet"
       FROM ledger_accounts GROUP BY asset
     HAVING sum(credits_posted) <> sum(debits_posted) OR sum(credits_pending) <> sum(debits_pending)`,
  );
  const negative = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ledger_accounts
      WHERE user_id IS NOT NULL AND credits_posted - debits_posted - debits_pending < 0`,
  );
  // Every account's totals must be what its transfers add up to.
  const mismatched = await db.query<{ n: string }>(
    `WITH moves AS (
       SELECT t.debit_account_id AS id,
              CASE WHEN t.flags IN ('posted', 'post') THEN t.amount ELSE 0 END AS dp, 0 AS cp,
              CASE WHEN t.flags = 'pending' THEN t.amount WHEN t.flags IN ('post', 'void') THEN -p.amount ELSE 0 END AS dpe,
              0 AS cpe
         FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id
       UNION ALL
       SELECT t.credit_account_id, 0, CASE WHEN t.flags IN ('posted', 'post') THEN t.amount ELSE 0 END, 0,
              CASE WHEN t.flags = 'pending' THEN t.amount WHEN t.flags IN ('post', 'void') THEN -p.amount ELSE 0 END
         FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id),
     sums AS (SELECT id, sum(dp) dp, sum(cp) cp, sum(dpe) dpe, sum(cpe) cpe FROM moves GROUP BY id)
     SELECT count(*)::text AS n FROM ledger_accounts a LEFT JOIN sums s ON s.id = a.id
      WHERE a.debits_posted <> coalesce(s.dp, 0) OR a.credits_posted <> coalesce(s.cp, 0)
         OR a.debits_pending <> coalesce(s.dpe, 0) OR a.credits_pending <> coalesce(s.cpe, 0)`,
  );
  return {
    imbalanced: imbalanced.rows,
    negativeUsers: Number(negative.rows[0]?.n),
    mismatchedTotals: Number(mismatched.rows[0]?.n),
  };
}
