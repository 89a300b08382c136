import type { Asset } from "@softchat/contracts";
import { type Queryable, writeAtCommit } from "../../platform/db/index.js";
import type { Activity, ActivityKind } from "./fifo.js";

/**
 * The SQL of the portfolio's books and activities (0024_portfolio.sql, 0027_portfolio_asset_order.sql).
 * Every statement takes many users at once, so recording a batch costs the same few round trips whatever
 * its size.
 */

/** An activity to record; `sourceKey` makes recording it twice harmless. */
export interface NewActivity {
  id: string;
  sourceKey: string;
  kind: ActivityKind;
  asset: Asset;
  quantity: bigint;
  usdCents: bigint | null;
  occurredAt: Date;
}

/** One user's holding of one asset: the unit whose lots are computed on their own. */
export interface Holding {
  userId: string;
  asset: Asset;
}

/** Each user's items as one flat list of [userId, item] (the shape bulk statements take). */
export function flatten<T>(byUser: ReadonlyMap<string, readonly T[]>): Array<[string, T]> {
  return [...byUser].flatMap(([userId, list]) => list.map((item): [string, T] => [userId, item]));
}

/** Groups [userId, item] pairs by user, keeping their order. */
export function groupByUser<T>(pairs: Iterable<[string, T]>): Map<string, T[]> {
  const byUser = new Map<string, T[]>();
  for (const [userId, item] of pairs) {
    const list = byUser.get(userId);
    if (list) list.push(item);
    else byUser.set(userId, [item]);
  }
  return byUser;
}

/**
 * Locks the books of `userIds` (creating those not kept yet) for the rest of the transaction: one writer
 * per user, on any node. One statement in user id order, so two transactions locking overlapping sets of
 * users wait for each other instead of deadlocking. The no-op update is what locks a book that exists; and
 * unlike a SELECT ... FOR UPDATE in the same statement, ON CONFLICT also finds (and waits for) a book that
 * another transaction is creating.
 */
export async function lockBooks(q: Queryable, userIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(userIds)].sort();
  if (ids.length === 0) return;
  await q.query(
    `INSERT INTO portfolio_books (user_id)
     SELECT u.user_id FROM unnest($1::uuid[]) AS u(user_id) ORDER BY u.user_id
     ON CONFLICT (user_id) DO UPDATE SET updated_at = portfolio_books.updated_at`,
    [ids],
  );
}

/**
 * Moves each user's book marker (the newest activity applied to its lots) on to `newest` when that comes
 * later. Nothing here reads the marker any more; nodes of the release before 0027 still decide their
 * replays by it, so it stays true while both run.
 */
export async function setApplied(q: Queryable, newest: ReadonlyMap<string, Activity>): Promise<void> {
  if (newest.size === 0) return;
  const list = [...newest];
  await writeAtCommit(
    q,
    `UPDATE portfolio_books b SET applied_at = n.occurred_at, applied_position = n.position, updated_at = now()
       FROM unnest($1::uuid[], $2::timestamptz[], $3::bigint[]) AS n(user_id, occurred_at, position)
      WHERE b.user_id = n.user_id
        AND (b.applied_at IS NULL OR (b.applied_at, b.applied_position) < (n.occurred_at, n.position))`,
    [
      list.map(([userId]) => userId),
      list.map(([, a]) => a.occurredAt.toISOString()),
      list.map(([, a]) => a.position.toString()),
    ],
  );
}

interface ActivityRow extends Record<string, unknown> {
  user_id: string;
  id: string;
  kind: ActivityKind;
  asset: Asset;
  quantity: string;
  usd_cents: string | null;
  occurred_at: Date | string;
  position: string;
}

function activityOf(r: ActivityRow): [string, Activity] {
  return [
    r.user_id,
    {
      id: r.id,
      kind: r.kind,
      asset: r.asset,
      quantity: BigInt(r.quantity),
      usdCents: r.usd_cents === null ? null : BigInt(r.usd_cents),
      occurredAt: new Date(r.occurred_at),
      position: BigInt(r.position),
    },
  ];
}

const ACTIVITY_COLUMNS = (t: string) =>
  ["user_id", "id", "kind", "asset", "quantity", "usd_cents", "occurred_at", "position"]
    .map((c) => `${t}.${c}`)
    .join(", ");

/**
 * Records each user's activities; returns, per user, those that were new (a source already recorded is
 * skipped). Positions follow the order given, users one after another.
 */
export async function insertActivities(
  q: Queryable,
  byUser: ReadonlyMap<string, readonly NewActivity[]>,
): Promise<Map<string, Activity[]>> {
  const list = flatten(byUser);
  if (list.length === 0) return new Map();
  const { rows } = await q.query<ActivityRow>(
    `INSERT INTO portfolio_activities AS p (id, user_id, source_key, kind, asset, quantity, usd_cents, occurred_at)
     SELECT a.id, a.user_id, a.source_key, a.kind, a.asset, a.quantity, a.usd_cents, a.occurred_at
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[],
                   $8::timestamptz[])
         WITH ORDINALITY AS a(id, user_id, source_key, kind, asset, quantity, usd_cents, occurred_at, n)
      ORDER BY a.n
     ON CONFLICT (user_id, source_key) DO NOTHING
     RETURNING ${ACTIVITY_COLUMNS("p")}`,
    [
      list.map(([, a]) => a.id),
      list.map(([userId]) => userId),
      list.map(([, a]) => a.sourceKey),
      list.map(([, a]) => a.kind),
      list.map(([, a]) => a.asset),
      list.map(([, a]) => a.quantity.toString()),
      list.map(([, a]) => (a.usdCents === null ? null : a.usdCents.toString())),
      list.map(([, a]) => a.occurredAt.toISOString()),
    ],
  );
  return groupByUser(rows.map(activityOf));
}

/** The earliest activity just recorded in a holding, and how many others were recorded with it. */
export interface FreshStart extends Holding {
  earliest: Activity;
  othersRecorded: number;
  /** What the new activities take from the holding's lots (sales and outflows), in minor units. */
  outflow: bigint;
}

/** Every activity of the holdings, per user, in the order they apply. */
export async function holdingActivities(
  q: Queryable,
  holdings: readonly Holding[],
): Promise<Map<string, Activity[]>> {
  if (holdings.length === 0) return new Map();
  const { rows } = await q.query<ActivityRow>(
    `SELECT ${ACTIVITY_COLUMNS("a")}
       FROM unnest($1::uuid[], $2::text[]) AS h(user_id, asset)
       JOIN portfolio_activities a ON a.user_id = h.user_id AND a.asset = h.asset
      ORDER BY a.user_id, a.occurred_at, a.position`,
    [holdings.map((h) => h.userId), holdings.map((h) => h.asset)],
  );
  return groupByUser(rows.map(activityOf));
}
