import type { Asset, PaymentProviderName, PaymentStatus, TransferKind } from "@softchat/contracts";
import type { Queryable } from "../../platform/db/index.js";

export interface DepositRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  asset: Asset;
  amount: string;
  provider: PaymentProviderName;
  provider_ref: string | null;
  status: PaymentStatus;
  checkout_url: string | null;
  client_secret: string | null;
  operation_id: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export interface WithdrawalRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  asset: Asset;
  amount: string;
  destination: string;
  provider: PaymentProviderName;
  provider_ref: string | null;
  status: PaymentStatus;
  hold_id: string;
  failure_reason: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export async function insertDeposit(
  q: Queryable,
  d: { id: string; userId: string; asset: Asset; amount: bigint; provider: PaymentProviderName },
): Promise<DepositRow> {
  const { rows } = await q.query<DepositRow>(
    `INSERT INTO deposits (id, user_id, asset, amount, provider) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [d.id, d.userId, d.asset, d.amount, d.provider],
  );
  const row = rows[0];
  if (!row) throw new Error("deposit insert returned nothing");
  return row;
}

/** Records what the provider said when the deposit started. */
export async function recordDepositStart(
  q: Queryable,
  id: string,
  start: { providerRef: string; checkoutUrl?: string; clientSecret?: string },
): Promise<DepositRow | undefined> {
  const { rows } = await q.query<DepositRow>(
    `UPDATE deposits SET provider_ref = $2, checkout_url = $3, client_secret = $4 WHERE id = $1 RETURNING *`,
    [id, start.providerRef, start.checkoutUrl ?? null, start.clientSecret ?? null],
  );
  return rows[0];
}

export async function lockDepositByRef(
  q: Queryable,
  provider: string,
  providerRef: string,
): Promise<DepositRow | undefined> {
  const { rows } = await q.query<DepositRow>(
    "SELECT * FROM deposits WHERE provider = $1 AND provider_ref = $2 FOR UPDATE",
    [provider, providerRef],
  );
  return rows[0];
}

export async function finishDeposit(
  q: Queryable,
  id: string,
  status: "completed" | "failed",
  operationId: string | null,
): Promise<DepositRow> {
  const { rows } = await q.query<DepositRow>(
    `UPDATE deposits SET status = $2, operation_id = $3, settled_at = now() WHERE id = $1 RETURNING *`,
    [id, status, operationId],
  );
  const row = rows[0];
  if (!row) throw new Error(`deposit ${id} vanished`);
  return row;
}

export async function insertWithdrawal(
  q: Queryable,
  w: {
    id: string;
    userId: string;
    asset: Asset;
    amount: bigint;
    destination: string;
    provider: PaymentProviderName;
    holdId: string;
  },
): Promise<WithdrawalRow> {
  const { rows } = await q.query<WithdrawalRow>(
    `INSERT INTO withdrawals (id, user_id, asset, amount, destination, provider, hold_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [w.id, w.userId, w.asset, w.amount, w.destination, w.provider, w.holdId],
  );
  const row = rows[0];
  if (!row) throw new Error("withdrawal insert returned nothing");
  return row;
}

export async function recordWithdrawalRef(q: Queryable, id: string, providerRef: string): Promise<void> {
  await q.query("UPDATE withdrawals SET provider_ref = $2 WHERE id = $1 AND provider_ref IS NULL", [
    id,
    providerRef,
  ]);
}

export async function lockWithdrawal(
  q: Queryable,
  by: { id: string } | { provider: string; providerRef: string },
): Promise<WithdrawalRow | undefined> {
  const { rows } =
    "id" in by
      ? await q.query<WithdrawalRow>("SELECT * FROM withdrawals WHERE id = $1 FOR UPDATE", [by.id])
      : await q.query<WithdrawalRow>(
          "SELECT * FROM withdrawals WHERE provider = $1 AND provider_ref = $2 FOR UPDATE",
          [by.provider, by.providerRef],
        );
  return rows[0];
}

export async function finishWithdrawal(
  q: Queryable,
  id: string,
  status: "completed" | "failed",
  reason: string | null,
): Promise<WithdrawalRow> {
  const { rows } = await q.query<WithdrawalRow>(
    `UPDATE withdrawals SET status = $2, failure_reason = $3, settled_at = now() WHERE id = $1 RETURNING *`,
    [id, status, reason],
  );
  const row = rows[0];
  if (!row) throw new Error(`withdrawal ${id} vanished`);
  return row;
}

export interface AddressRow extends Record<string, unknown> {
  asset: Asset;
  network: string;
  address: string;
}

export async function depositAddresses(q: Queryable, userId: string): Promise<AddressRow[]> {
  const { rows } = await q.query<AddressRow>(
    "SELECT asset, network, address FROM wallet_deposit_addresses WHERE user_id = $1 ORDER BY asset",
    [userId],
  );
  return rows;
}

/** Stores new addresses; one that exists for (user, asset) is kept, so a user's address never changes. */
export async function insertDepositAddresses(
  q: Queryable,
  userId: string,
  rows: AddressRow[],
): Promise<void> {
  await q.query(
    `INSERT INTO wallet_deposit_addresses (user_id, asset, network, address)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
     ON CONFLICT (user_id, asset) DO NOTHING`,
    [userId, rows.map((r) => r.asset), rows.map((r) => r.network), rows.map((r) => r.address)],
  );
}

export interface HistoryRow extends Record<string, unknown> {
  id: string;
  seq: string;
  operation_id: string;
  kind: TransferKind;
  asset: Asset;
  amount: string;
  flags: "posted" | "pending";
  metadata: Record<string, unknown> | null;
  created_at: Date;
  outgoing: boolean;
  hold_status: "pending" | "posted" | "voided" | "expired" | null;
  posted_amount: string | null;
  counterparty_id: string | null;
}

/**
 * A user's transfers, newest first, from `beforeSeq` on. Post and void transfers are not lines of their
 * own: they end the hold shown on the pending transfer's line. Each of the user's accounts is read on both
 * sides through its (account, seq) index and cut at `limit`, so a page costs the same however large the
 * ledger grows.
 */
export async function listHistory(
  q: Queryable,
  userId: string,
  filter: { asset?: Asset; kind?: TransferKind; beforeSeq?: string; limit: number },
): Promise<HistoryRow[]> {
  const side = (column: "debit_account_id" | "credit_account_id") => `
    SELECT s.*, ${column === "debit_account_id"} AS outgoing
      FROM mine CROSS JOIN LATERAL (
        SELECT t.* FROM ledger_transfers t
         WHERE t.${column} = mine.id AND t.flags IN ('posted', 'pending')
           AND ($2::bigint IS NULL OR t.seq < $2::bigint) AND ($4::text IS NULL OR t.kind = $4)
         ORDER BY t.seq DESC LIMIT $5) s`;
  const { rows } = await q.query<HistoryRow>(
    `WITH mine AS (SELECT id FROM ledger_accounts WHERE user_id = $1 AND ($3::text IS NULL OR asset = $3))
     SELECT t.id, t.seq::text AS seq, t.operation_id, t.kind, t.asset, t.amount, t.flags, t.metadata,
            t.created_at, t.outgoing, h.status AS hold_status, h.posted_amount, other.user_id AS counterparty_id
       FROM (${side("debit_account_id")} UNION ALL ${side("credit_account_id")}) t
       LEFT JOIN ledger_holds h ON h.transfer_id = t.id
       JOIN ledger_accounts other
         ON other.id = CASE WHEN t.outgoing THEN t.credit_account_id ELSE t.debit_account_id END
      ORDER BY t.seq DESC
      LIMIT $5`,
    [userId, filter.beforeSeq ?? null, filter.asset ?? null, filter.kind ?? null, filter.limit],
  );
  return rows;
}

/**
 * Pending withdrawals the provider should have settled by now: sandbox payouts older than their simulated
 * confirmation plus `graceMs`, and payouts of any other provider that never recorded a provider reference
 * within `graceMs`. Ages are measured on the database clock.
 */
export async function overdueWithdrawals(
  q: Queryable,
  o: { sandboxConfirmMs: number; graceMs: number; limit: number },
): Promise<WithdrawalRow[]> {
  const { rows } = await q.query<WithdrawalRow>(
    `SELECT * FROM withdrawals
      WHERE status = 'pending'
        AND ((provider = 'sandbox' AND created_at < now() - ($1::bigint * interval '1 millisecond'))
          OR (provider <> 'sandbox' AND provider_ref IS NULL
              AND created_at < now() - ($2::bigint * interval '1 millisecond')))
      ORDER BY created_at
      LIMIT $3`,
    [BigInt(o.sandboxConfirmMs + o.graceMs), BigInt(o.graceMs), o.limit],
  );
  return rows;
}
