import type { AmlFlag, AmlFlagStatus, AmlRule, AmlSeverity } from "@softchat/contracts";
import type { Queryable, Transaction } from "../../platform/db/index.js";
import type { MoneyFact } from "./events.js";

/** Serializes the evaluation of one user's events, across nodes, until the transaction ends. */
export async function lockUser(tx: Transaction, userId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`aml:${userId}`]);
}

/** Keeps a fact; a redelivered event (same kind and transaction) is ignored. */
export async function insertFact(tx: Transaction, f: MoneyFact): Promise<void> {
  await tx.query(
    `INSERT INTO aml_events (user_id, kind, transaction_id, asset, amount, usd_cents, limit_usd_cents,
                             recipient_id, at)
     VALUES ($1, $2, $3, $4, $5::numeric, $6, $7, $8, $9::timestamptz)
     ON CONFLICT (kind, transaction_id) DO NOTHING`,
    [f.userId, f.kind, f.transactionId, f.asset, f.amount, f.usdCents, f.limitUsdCents, f.recipientId, f.at],
  );
}

/** A time window ending at `at` (inclusive) and reaching back `seconds` (exclusive). */
export interface Window {
  at: string;
  seconds: number;
}

const IN_WINDOW = "at > $2::timestamptz - ($3::int * interval '1 second') AND at <= $2::timestamptz";

async function scalar(tx: Queryable, sql: string, params: unknown[]): Promise<bigint> {
  const { rows } = await tx.query<{ v: string | null }>(sql, params);
  return BigInt(rows[0]?.v ?? "0");
}

/** Outflows (transfers out and withdrawals) of the user in the window. */
export function countOutflows(tx: Queryable, userId: string, w: Window): Promise<bigint> {
  return scalar(
    tx,
    `SELECT count(*)::text AS v FROM aml_events
      WHERE user_id = $1 AND kind IN ('transfer', 'withdrawal') AND ${IN_WINDOW}`,
    [userId, w.at, w.seconds],
  );
}

/** Outflows in the window worth between `lowPercent`% and 100% of the user's limit at the time. */
export function countNearLimitOutflows(
  tx: Queryable,
  userId: string,
  w: Window,
  lowPercent: number,
): Promise<bigint> {
  return scalar(
    tx,
    `SELECT count(*)::text AS v FROM aml_events
      WHERE user_id = $1 AND kind IN ('transfer', 'withdrawal') AND ${IN_WINDOW}
        AND limit_usd_cents > 0 AND usd_cents * 100 >= limit_usd_cents * $4 AND usd_cents <= limit_usd_cents`,
    [userId, w.at, w.seconds, lowPercent],
  );
}

/** Distinct recipients of the user's transfers in the window. */
export function countRecipients(tx: Queryable, userId: string, w: Window): Promise<bigint> {
  return scalar(
    tx,
    `SELECT count(DISTINCT recipient_id)::text AS v FROM aml_events
      WHERE user_id = $1 AND kind = 'transfer' AND recipient_id IS NOT NULL AND ${IN_WINDOW}`,
    [userId, w.at, w.seconds],
  );
}

export interface DepositFact {
  transactionId: string;
  usdCents: bigint;
  at: string;
}

/** The user's deposits in the window, oldest first. */
export async function depositsIn(tx: Queryable, userId: string, w: Window): Promise<DepositFact[]> {
  const { rows } = await tx.query<{ transaction_id: string; usd_cents: string; at: Date }>(
    `SELECT transaction_id, usd_cents, at FROM aml_events
      WHERE user_id = $1 AND kind = 'deposit' AND ${IN_WINDOW} ORDER BY at, id`,
    [userId, w.at, w.seconds],
  );
  return rows.map((r) => ({
    transactionId: r.transaction_id,
    usdCents: BigInt(r.usd_cents),
    at: new Date(r.at).toISOString(),
  }));
}

/** USD cents the user withdrew from `from` (inclusive) for `seconds`. */
export function withdrawnAfter(
  tx: Queryable,
  userId: string,
  from: string,
  seconds: number,
): Promise<bigint> {
  return scalar(
    tx,
    `SELECT sum(usd_cents)::text AS v FROM aml_events
      WHERE user_id = $1 AND kind = 'withdrawal'
        AND at >= $2::timestamptz AND at <= $2::timestamptz + ($3::int * interval '1 second')`,
    [userId, from, seconds],
  );
}

/**
 * Whether the rule already flagged the user for a transaction less than one window before or after `at`.
 * Both sides: events may be handled out of order, and a later one may have raised the flag first.
 */
export async function flaggedWithin(
  tx: Queryable,
  userId: string,
  rule: AmlRule,
  w: Window,
): Promise<boolean> {
  const { rows } = await tx.query(
    `SELECT 1 FROM aml_flags
      WHERE user_id = $1 AND rule = $4
        AND triggered_at > $2::timestamptz - ($3::int * interval '1 second')
        AND triggered_at < $2::timestamptz + ($3::int * interval '1 second')
      LIMIT 1`,
    [userId, w.at, w.seconds, rule],
  );
  return rows.length > 0;
}

export interface NewFlag {
  userId: string;
  rule: AmlRule;
  severity: AmlSeverity;
  triggerKey: string;
  transactionId: string;
  triggeredAt: string;
  details: Record<string, unknown>;
}

/** Raises a flag unless the rule already raised one for the same trigger; returns it when it is new. */
export async function insertFlag(tx: Transaction, f: NewFlag): Promise<AmlFlag | null> {
  const { rows } = await tx.query<FlagRow>(
    `INSERT INTO aml_flags (user_id, rule, severity, trigger_key, transaction_id, triggered_at, details)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::jsonb)
     ON CONFLICT (user_id, rule, trigger_key) DO NOTHING RETURNING ${FLAG_COLUMNS}`,
    [f.userId, f.rule, f.severity, f.triggerKey, f.transactionId, f.triggeredAt, JSON.stringify(f.details)],
  );
  return rows[0] ? presentFlag(rows[0]) : null;
}

export interface FlagRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  rule: AmlRule;
  severity: AmlSeverity;
  transaction_id: string;
  triggered_at: Date;
  details: Record<string, unknown>;
  status: AmlFlagStatus;
  created_at: Date;
  resolved_by: string | null;
  resolved_at: Date | null;
  note: string | null;
  cursor_at: string;
}

const FLAG_COLUMNS = `id, user_id, rule, severity, transaction_id, triggered_at, details, status, created_at,
  resolved_by, resolved_at, note, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

export function presentFlag(row: FlagRow): AmlFlag {
  return {
    id: row.id,
    userId: row.user_id,
    rule: row.rule,
    severity: row.severity,
    transactionId: row.transaction_id,
    triggeredAt: new Date(row.triggered_at).toISOString(),
    details: row.details ?? {},
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at ? new Date(row.resolved_at).toISOString() : null,
    note: row.note,
  };
}

export interface FlagPageQuery {
  status: AmlFlagStatus | null;
  userId: string | null;
  /** Position after which to continue: the last row's created_at (text, microseconds) and id. */
  after: { at: string; id: string } | null;
  limit: number;
}

/** Flags newest first; one more than `limit` is read to know whether a next page exists. */
export async function listFlags(q: Queryable, p: FlagPageQuery): Promise<FlagRow[]> {
  const { rows } = await q.query<FlagRow>(
    `SELECT ${FLAG_COLUMNS} FROM aml_flags
      WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR user_id = $2)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [p.status, p.userId, p.after?.at ?? null, p.after?.id ?? null, p.limit + 1],
  );
  return rows;
}

/** The flag, locked for an update when read inside a transaction. */
export async function getFlagForUpdate(tx: Transaction, flagId: string): Promise<FlagRow | null> {
  const { rows } = await tx.query<FlagRow>(`SELECT ${FLAG_COLUMNS} FROM aml_flags WHERE id = $1 FOR UPDATE`, [
    flagId,
  ]);
  return rows[0] ?? null;
}

export async function getFlag(q: Queryable, flagId: string): Promise<FlagRow | null> {
  const { rows } = await q.query<FlagRow>(`SELECT ${FLAG_COLUMNS} FROM aml_flags WHERE id = $1`, [flagId]);
  return rows[0] ?? null;
}

/** Closes an open flag with the admin's decision. */
export async function closeFlag(
  tx: Transaction,
  flagId: string,
  c: { status: "resolved" | "dismissed"; note: string | null; resolvedBy: string },
): Promise<FlagRow | null> {
  const { rows } = await tx.query<FlagRow>(
    `UPDATE aml_flags SET status = $2, note = $3, resolved_by = $4, resolved_at = now()
      WHERE id = $1 AND status = 'open' RETURNING ${FLAG_COLUMNS}`,
    [flagId, c.status, c.note, c.resolvedBy],
  );
  return rows[0] ?? null;
}
