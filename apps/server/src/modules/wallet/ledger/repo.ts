import type { Asset, TransferKind } from "@softchat/contracts";
import { combineWrites, type Queryable, type Transaction, type Write } from "../../../platform/db/index.js";
import type { Outbox } from "../../../platform/outbox/index.js";
import { emitManyComputedAfterCommit } from "../../../platform/realtime/index.js";
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
export function lockAccounts(q: Queryable, keys: string[], ids: string[]): Promise<AccountState[]> {
  return selectAccounts(q, keys, ids, "FOR UPDATE");
}

/** The accounts named by key or id, as last committed, not locked (see `accountsAtCommit`). */
export function readAccounts(q: Queryable, keys: string[], ids: string[]): Promise<AccountState[]> {
  return selectAccounts(q, keys, ids, "");
}

async function selectAccounts(
  q: Queryable,
  keys: string[],
  ids: string[],
  lock: "FOR UPDATE" | "",
): Promise<AccountState[]> {
  const { rows } = await q.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts
      WHERE key = ANY($1::text[]) OR id = ANY($2::bigint[])
      ORDER BY id ${lock}`,
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

/** How a hold ended. */
export interface HoldResolution {
  transferId: string;
  status: "posted" | "voided" | "expired";
  postedAmount: bigint | null;
}

/** Everything one batch of ledger operations writes. */
export interface LedgerWrites {
  deltas: AccountDelta[];
  transfers: AppliedTransfer[];
  newHolds: { transferId: string; expiresAt: Date | null }[];
  endedHolds: HoldResolution[];
}

/**
 * Writes a planned batch in ONE statement: the accounts' new totals, the transfers, the holds opened and
 * the holds ended. The accounts are locked by then, and every statement in that window delays the next
 * writer of the same accounts, so the four writes travel together. They touch different rows (a hold is
 * never opened and ended in one batch: `lockHolds` only finds holds committed before), the foreign keys
 * are checked at the end of the statement, and the constraints (no negative balance) still hold.
 */
export async function writeLedger(q: Queryable, w: LedgerWrites): Promise<void> {
  const parts = ledgerWriteParts(w);
  if (parts.length === 0) return;
  const combined = combineWrites(parts, null);
  await q.query(combined.sql, combined.params);
}

/** Moves the accounts' totals by `deltas`, in id order, on `condition` if given. */
function totalsWrite(deltas: AccountDelta[], condition?: string): Write {
  const sorted = [...deltas].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  return {
    sql: `UPDATE ledger_accounts a
        SET debits_posted = a.debits_posted + d.dp, credits_posted = a.credits_posted + d.cp,
            debits_pending = a.debits_pending + d.dpe, credits_pending = a.credits_pending + d.cpe
       FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[])
         AS d(id, dp, cp, dpe, cpe)
      WHERE a.id = d.id${condition ? ` AND ${condition}` : ""}`,
    params: [
      sorted.map((d) => d.id),
      sorted.map((d) => d.debitsPosted.toString()),
      sorted.map((d) => d.creditsPosted.toString()),
      sorted.map((d) => d.debitsPending.toString()),
      sorted.map((d) => d.creditsPending.toString()),
    ],
  };
}

/**
 * The accounts' totals moved at commit, for a batch planned on totals read without a lock (`readAccounts`):
 * one final statement, sent with the COMMIT, locks the accounts in id order (the same order as every other
 * writer, before any is changed), moves them, and writes one `balance_update` per user account with its
 * totals as that UPDATE leaves them, so a writer that committed in between is counted. A plan whose funds
 * such a writer spent fails there, on the rule that no user account goes negative, rolling back the whole
 * transaction.
 */
export function accountsAtCommit(outbox: Outbox, tx: Transaction, deltas: AccountDelta[]): void {
  if (deltas.length === 0) return;
  const totals = totalsWrite(deltas, "(SELECT count(*) FROM locked) >= 0");
  emitManyComputedAfterCommit(outbox, tx, {
    // The UPDATE's condition on `locked` is worked out once, before it reads a row: all locks come first.
    with: `locked AS MATERIALIZED (
        SELECT id FROM ledger_accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE),
      moved AS (${totals.sql}
        RETURNING a.id, a.user_id, a.asset, a.debits_posted, a.credits_posted, a.debits_pending)`,
    select: `SELECT jsonb_agg(jsonb_build_object(
        'rooms', jsonb_build_array('user:' || m.user_id),
        'event', 'balance_update',
        'data', jsonb_build_object(
          'asset', m.asset,
          'available', ledger_amount_text(m.credits_posted - m.debits_posted - m.debits_pending, s.scale),
          'pending', ledger_amount_text(m.debits_pending, s.scale),
          'total', ledger_amount_text(m.credits_posted - m.debits_posted, s.scale))) ORDER BY m.id) AS emits
      FROM moved m JOIN ledger_assets s ON s.code = m.asset
     WHERE m.user_id IS NOT NULL
    HAVING count(*) > 0`,
    params: totals.params,
  });
}

/**
 * The writes of a planned batch as separate data-modifying statements, leaving out the empty ones: run
 * together by `writeLedger`, or handed to the transaction's deferred writes (see `executeOperations`).
 */
export function ledgerWriteParts(w: LedgerWrites): Write[] {
  const parts: Write[] = [];
  if (w.deltas.length > 0) parts.push(totalsWrite(w.deltas));
  if (w.transfers.length > 0) {
    parts.push({
      sql: `INSERT INTO ledger_transfers
         (id, operation_id, debit_account_id, credit_account_id, asset, amount, kind, flags, pending_id,
          expires_at, metadata)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::numeric[],
                            $7::text[], $8::text[], $9::uuid[], $10::timestamptz[], $11::jsonb[])`,
      params: [
        w.transfers.map((t) => t.id),
        w.transfers.map((t) => t.operationId),
        w.transfers.map((t) => t.debit.id),
        w.transfers.map((t) => t.credit.id),
        w.transfers.map((t) => t.asset),
        w.transfers.map((t) => t.amount.toString()),
        w.transfers.map((t) => t.kind),
        w.transfers.map((t) => t.flags),
        w.transfers.map((t) => t.pendingId),
        w.transfers.map((t) => t.expiresAt?.toISOString() ?? null),
        w.transfers.map((t) => (t.metadata ? JSON.stringify(t.metadata) : null)),
      ],
    });
  }
  if (w.newHolds.length > 0) {
    parts.push({
      sql: `INSERT INTO ledger_holds (transfer_id, expires_at)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[])`,
      params: [
        w.newHolds.map((h) => h.transferId),
        w.newHolds.map((h) => h.expiresAt?.toISOString() ?? null),
      ],
    });
  }
  if (w.endedHolds.length > 0) {
    parts.push({
      sql: `UPDATE ledger_holds h SET status = r.status, posted_amount = r.posted, resolved_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::numeric[]) AS r(id, status, posted)
        WHERE h.transfer_id = r.id AND h.status = 'pending'`,
      params: [
        w.endedHolds.map((r) => r.transferId),
        w.endedHolds.map((r) => r.status),
        w.endedHolds.map((r) => (r.postedAmount === null ? null : r.postedAmount.toString())),
      ],
    });
  }
  return parts;
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
