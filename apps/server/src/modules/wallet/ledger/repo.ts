import type { Asset, TransferKind } from "@softchat/contracts";
import type { Queryable } from "../../../platform/db/index.js";
import { accountFromKey } from "./accounts.js";
import type { AccountState, AppliedTransfer, HoldState } from "./types.js";

interface AccountRow extends Record<string, unknown> {
  id: string;
  key: string;
  user_id: string | null;
  system_name: string | null;
  asset: Asset;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
}

const ACCOUNT_COLUMNS =
  "id, key, user_id, system_name, asset, debits_posted, credits_posted, debits_pending, credits_pending";

function toAccount(row: AccountRow): AccountState {
  return {
    id: String(row.id),
    key: row.key,
    userId: row.user_id,
    systemName: row.system_name,
    asset: row.asset,
    debitsPosted: BigInt(row.debits_posted),
    creditsPosted: BigInt(row.credits_posted),
    debitsPending: BigInt(row.debits_pending),
    creditsPending: BigInt(row.credits_pending),
  };
}

/**
 * Locks the accounts named by key or id, in id order: every writer locks in the same order, so two
 * transactions never wait on each other in a circle.
 */
export async function lockAccounts(q: Queryable, keys: string[], ids: string[]): Promise<AccountState[]> {
  const { rows } = await q.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts
      WHERE key = ANY($1::text[]) OR id = ANY($2::bigint[])
      ORDER BY id FOR UPDATE`,
    [keys, ids],
  );
  return rows.map(toAccount);
}

/** Creates the accounts named by `keys` that do not exist yet (race-safe: concurrent creators agree). */
export async function createAccounts(q: Queryable, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  const accounts = [...new Set(keys)].sort().map(accountFromKey);
  await q.query(
    `INSERT INTO ledger_accounts (key, user_id, system_name, shard, asset)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::smallint[], $5::text[])
     ON CONFLICT (key) DO NOTHING`,
    [
      accounts.map((a) => a.key),
      accounts.map((a) => a.userId),
      accounts.map((a) => a.systemName),
      accounts.map((a) => a.shard),
      accounts.map((a) => a.asset),
    ],
  );
}

/** Which of `keys` name existing accounts. */
export async function existingAccountKeys(q: Queryable, keys: string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ key: string }>(
    "SELECT key FROM ledger_accounts WHERE key = ANY($1::text[])",
    [keys],
  );
  return new Set(rows.map((r) => r.key));
}

/** Every account of a user (one per asset it ever held). */
export async function userAccounts(q: Queryable, userId: string): Promise<AccountState[]> {
  const { rows } = await q.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE user_id = $1 ORDER BY asset`,
    [userId],
  );
  return rows.map(toAccount);
}

/** The accounts of several users, in one statement. */
export async function usersAccounts(q: Queryable, userIds: readonly string[]): Promise<AccountState[]> {
  if (userIds.length === 0) return [];
  const { rows } = await q.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE user_id = ANY($1::uuid[]) ORDER BY user_id, asset`,
    [userIds],
  );
  return rows.map(toAccount);
}

/** Change of the four totals of one account. */
export interface AccountDelta {
  id: string;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/** Adds the deltas to the accounts' totals in one statement (the database re-checks every constraint). */
export async function applyDeltas(q: Queryable, deltas: AccountDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const sorted = [...deltas].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  await q.query(
    `UPDATE ledger_accounts a
        SET debits_posted = a.debits_posted + d.dp, credits_posted = a.credits_posted + d.cp,
            debits_pending = a.debits_pending + d.dpe, credits_pending = a.credits_pending + d.cpe
       FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[])
         AS d(id, dp, cp, dpe, cpe)
      WHERE a.id = d.id`,
    [
      sorted.map((d) => d.id),
      sorted.map((d) => d.debitsPosted.toString()),
      sorted.map((d) => d.creditsPosted.toString()),
      sorted.map((d) => d.debitsPending.toString()),
      sorted.map((d) => d.creditsPending.toString()),
    ],
  );
}

/** Writes transfers in one statement. */
export async function insertTransfers(q: Queryable, transfers: AppliedTransfer[]): Promise<void> {
  if (transfers.length === 0) return;
  await q.query(
    `INSERT INTO ledger_transfers
       (id, operation_id, debit_account_id, credit_account_id, asset, amount, kind, flags, pending_id,
        expires_at, metadata)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::numeric[],
                          $7::text[], $8::text[], $9::uuid[], $10::timestamptz[], $11::jsonb[])`,
    [
      transfers.map((t) => t.id),
      transfers.map((t) => t.operationId),
      transfers.map((t) => t.debit.id),
      transfers.map((t) => t.credit.id),
      transfers.map((t) => t.asset),
      transfers.map((t) => t.amount.toString()),
      transfers.map((t) => t.kind),
      transfers.map((t) => t.flags),
      transfers.map((t) => t.pendingId),
      transfers.map((t) => t.expiresAt?.toISOString() ?? null),
      transfers.map((t) => (t.metadata ? JSON.stringify(t.metadata) : null)),
    ],
  );
}

interface HoldRow extends Record<string, unknown> {
  transfer_id: string;
  status: HoldState["status"];
  expired: boolean;
  operation_id: string;
  debit_account_id: string;
  credit_account_id: string;
  asset: Asset;
  amount: string;
  kind: TransferKind;
  metadata: Record<string, unknown> | null;
}

/** Locks holds (in id order) and reads their pending transfers. */
export async function lockHolds(q: Queryable, ids: string[]): Promise<Map<string, HoldState>> {
  if (ids.length === 0) return new Map();
  const { rows } = await q.query<HoldRow>(
    `SELECT h.transfer_id, h.status, (h.expires_at IS NOT NULL AND h.expires_at <= now()) AS expired,
            t.operation_id, t.debit_account_id, t.credit_account_id, t.asset, t.amount, t.kind, t.metadata
       FROM ledger_holds h JOIN ledger_transfers t ON t.id = h.transfer_id
      WHERE h.transfer_id = ANY($1::uuid[])
      ORDER BY h.transfer_id FOR UPDATE OF h`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.transfer_id,
      {
        transferId: r.transfer_id,
        operationId: r.operation_id,
        debitAccountId: String(r.debit_account_id),
        creditAccountId: String(r.credit_account_id),
        asset: r.asset,
        amount: BigInt(r.amount),
        kind: r.kind,
        status: r.status,
        expired: r.expired,
        metadata: r.metadata,
      },
    ]),
  );
}

/** Opens holds for new pending transfers. */
export async function insertHolds(q: Queryable, holds: { transferId: string; expiresAt: Date | null }[]) {
  if (holds.length === 0) return;
  await q.query(
    `INSERT INTO ledger_holds (transfer_id, expires_at)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[])`,
    [holds.map((h) => h.transferId), holds.map((h) => h.expiresAt?.toISOString() ?? null)],
  );
}

/** Records how holds ended. */
export async function resolveHolds(
  q: Queryable,
  resolved: { transferId: string; status: "posted" | "voided" | "expired"; postedAmount: bigint | null }[],
): Promise<void> {
  if (resolved.length === 0) return;
  await q.query(
    `UPDATE ledger_holds h SET status = r.status, posted_amount = r.posted, resolved_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::numeric[]) AS r(id, status, posted)
      WHERE h.transfer_id = r.id AND h.status = 'pending'`,
    [
      resolved.map((r) => r.transferId),
      resolved.map((r) => r.status),
      resolved.map((r) => (r.postedAmount === null ? null : r.postedAmount.toString())),
    ],
  );
}

/** Ids of pending holds whose expiry has passed, oldest first. */
export async function expiredHoldIds(q: Queryable, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ transfer_id: string }>(
    `SELECT transfer_id FROM ledger_holds
      WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= now()
      ORDER BY expires_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.transfer_id);
}
