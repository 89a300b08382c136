import type { Asset } from "@softchat/contracts";
import type { Queryable } from "../../platform/db/index.js";
import type { Activity, ActivityKind, Disposal, Lot } from "./fifo.js";

/** The SQL of the portfolio's activities, lots and disposals (0024_portfolio.sql). */

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

export interface BookState {
  appliedAt: Date | null;
  appliedPosition: bigint | null;
}

/** Locks the user's book (creating it on first use) for the rest of the transaction. */
export async function lockBook(q: Queryable, userId: string): Promise<BookState> {
  await q.query("INSERT INTO portfolio_books (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING", [
    userId,
  ]);
  const { rows } = await q.query<{ applied_at: Date | string | null; applied_position: string | null }>(
    "SELECT applied_at, applied_position FROM portfolio_books WHERE user_id = $1 FOR UPDATE",
    [userId],
  );
  const row = rows[0];
  return {
    appliedAt: row?.applied_at ? new Date(row.applied_at) : null,
    appliedPosition: row?.applied_position ? BigInt(row.applied_position) : null,
  };
}

/** Records `last` as the last activity applied to the user's lots. */
export async function setApplied(q: Queryable, userId: string, last: Activity): Promise<void> {
  await q.query(
    "UPDATE portfolio_books SET applied_at = $2, applied_position = $3, updated_at = now() WHERE user_id = $1",
    [userId, last.occurredAt, last.position],
  );
}

interface ActivityRow extends Record<string, unknown> {
  id: string;
  kind: ActivityKind;
  asset: Asset;
  quantity: string;
  usd_cents: string | null;
  occurred_at: Date | string;
  position: string;
}

function activityOf(r: ActivityRow): Activity {
  return {
    id: r.id,
    kind: r.kind,
    asset: r.asset,
    quantity: BigInt(r.quantity),
    usdCents: r.usd_cents === null ? null : BigInt(r.usd_cents),
    occurredAt: new Date(r.occurred_at),
    position: BigInt(r.position),
  };
}

const ACTIVITY_COLUMNS = "id, kind, asset, quantity, usd_cents, occurred_at, position";

/** Records activities; returns those that were new (a source already recorded is skipped). */
export async function insertActivities(
  q: Queryable,
  userId: string,
  list: NewActivity[],
): Promise<Activity[]> {
  if (list.length === 0) return [];
  const { rows } = await q.query<ActivityRow>(
    `INSERT INTO portfolio_activities (id, user_id, source_key, kind, asset, quantity, usd_cents, occurred_at)
     SELECT a.id, $1, a.source_key, a.kind, a.asset, a.quantity, a.usd_cents, a.occurred_at
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::timestamptz[])
         WITH ORDINALITY AS a(id, source_key, kind, asset, quantity, usd_cents, occurred_at, n)
      ORDER BY a.n
     ON CONFLICT (user_id, source_key) DO NOTHING
     RETURNING ${ACTIVITY_COLUMNS}`,
    [
      userId,
      list.map((a) => a.id),
      list.map((a) => a.sourceKey),
      list.map((a) => a.kind),
      list.map((a) => a.asset),
      list.map((a) => a.quantity.toString()),
      list.map((a) => (a.usdCents === null ? null : a.usdCents.toString())),
      list.map((a) => a.occurredAt.toISOString()),
    ],
  );
  return rows.map(activityOf);
}

/** Every activity of the user, in the order they apply. */
export async function allActivities(q: Queryable, userId: string): Promise<Activity[]> {
  const { rows } = await q.query<ActivityRow>(
    `SELECT ${ACTIVITY_COLUMNS} FROM portfolio_activities WHERE user_id = $1 ORDER BY occurred_at, position`,
    [userId],
  );
  return rows.map(activityOf);
}

/** Drops the user's lots and disposals (to replay every activity). */
export async function deleteDerived(q: Queryable, userId: string): Promise<void> {
  await q.query("DELETE FROM portfolio_disposals WHERE user_id = $1", [userId]);
  await q.query("DELETE FROM portfolio_lots WHERE user_id = $1", [userId]);
}

interface LotRow extends Record<string, unknown> {
  id: string;
  asset: Asset;
  source: ActivityKind;
  opened_at: Date | string;
  open_position: string;
  quantity: string;
  cost_cents: string;
  remaining_quantity: string;
  remaining_cost_cents: string;
  closed_at: Date | string | null;
}

/** A lot row as a `Lot`. */
export function lotOf(r: LotRow): Lot {
  return {
    id: r.id,
    asset: r.asset,
    source: r.source,
    openedAt: new Date(r.opened_at),
    openPosition: BigInt(r.open_position),
    quantity: BigInt(r.quantity),
    cost: BigInt(r.cost_cents),
    remainingQuantity: BigInt(r.remaining_quantity),
    remainingCost: BigInt(r.remaining_cost_cents),
    closedAt: r.closed_at === null ? null : new Date(r.closed_at),
  };
}

const LOT_COLUMNS = `id, asset, source, opened_at, open_position, quantity, cost_cents, remaining_quantity,
  remaining_cost_cents, closed_at`;

/** The open lots of some of the user's assets. */
export async function openLots(q: Queryable, userId: string, assets: Asset[]): Promise<Lot[]> {
  const { rows } = await q.query<LotRow>(
    `SELECT ${LOT_COLUMNS} FROM portfolio_lots
      WHERE user_id = $1 AND asset = ANY($2::text[]) AND closed_at IS NULL
      ORDER BY opened_at, open_position`,
    [userId, assets],
  );
  return rows.map(lotOf);
}

/** Writes lots in their current state (new ones inserted, known ones updated). */
export async function saveLots(q: Queryable, userId: string, lots: Lot[]): Promise<void> {
  if (lots.length === 0) return;
  await q.query(
    `INSERT INTO portfolio_lots (id, user_id, asset, source, opened_at, open_position, quantity, cost_cents,
       remaining_quantity, remaining_cost_cents, closed_at)
     SELECT l.id, $1, l.asset, l.source, l.opened_at, l.open_position, l.quantity, l.cost_cents,
            l.remaining_quantity, l.remaining_cost_cents, l.closed_at
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[], $7::numeric[],
                   $8::numeric[], $9::numeric[], $10::numeric[], $11::timestamptz[])
         AS l(id, asset, source, opened_at, open_position, quantity, cost_cents, remaining_quantity,
              remaining_cost_cents, closed_at)
     ON CONFLICT (id) DO UPDATE SET remaining_quantity = EXCLUDED.remaining_quantity,
       remaining_cost_cents = EXCLUDED.remaining_cost_cents, closed_at = EXCLUDED.closed_at`,
    [
      userId,
      lots.map((l) => l.id),
      lots.map((l) => l.asset),
      lots.map((l) => l.source),
      lots.map((l) => l.openedAt.toISOString()),
      lots.map((l) => l.openPosition.toString()),
      lots.map((l) => l.quantity.toString()),
      lots.map((l) => l.cost.toString()),
      lots.map((l) => l.remainingQuantity.toString()),
      lots.map((l) => l.remainingCost.toString()),
      lots.map((l) => (l.closedAt === null ? null : l.closedAt.toISOString())),
    ],
  );
}

/** Writes what sales and outflows took from the lots. */
export async function insertDisposals(q: Queryable, userId: string, disposals: Disposal[]): Promise<void> {
  if (disposals.length === 0) return;
  const nullable = (v: bigint | null) => (v === null ? null : v.toString());
  await q.query(
    `INSERT INTO portfolio_disposals (id, user_id, asset, activity_id, lot_id, kind, disposed_at, position,
       part, quantity, cost_cents, proceeds_cents)
     SELECT gen_random_uuid(), $1, d.asset, d.activity_id, d.lot_id, d.kind, d.disposed_at, d.position,
            d.part, d.quantity, d.cost_cents, d.proceeds_cents
       FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::bigint[], $8::int[],
                   $9::numeric[], $10::numeric[], $11::numeric[])
         AS d(asset, activity_id, lot_id, kind, disposed_at, position, part, quantity, cost_cents, proceeds_cents)`,
    [
      userId,
      disposals.map((d) => d.asset),
      disposals.map((d) => d.activityId),
      disposals.map((d) => d.lotId),
      disposals.map((d) => d.kind),
      disposals.map((d) => d.disposedAt.toISOString()),
      disposals.map((d) => d.position.toString()),
      disposals.map((d) => d.part),
      disposals.map((d) => d.quantity.toString()),
      disposals.map((d) => nullable(d.cost)),
      disposals.map((d) => nullable(d.proceeds)),
    ],
  );
}
