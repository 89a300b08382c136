import type { Asset } from "@softchat/contracts";
import { type Queryable, writeAtCommit } from "../../platform/db/index.js";
import type { ActivityKind, Disposal, Lot } from "./fifo.js";
import { type FreshStart, flatten, groupByUser, type Holding } from "./repo.js";

/** The SQL of the lots and disposals derived from the activities (0024_portfolio.sql), many users at once. */

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

const holdingParams = (holdings: readonly Holding[]) => [
  holdings.map((h) => h.userId),
  holdings.map((h) => h.asset),
];

/**
 * Where each holding's new activities start from, in one read. A holding is late when an activity recorded
 * before this transaction comes after its `earliest`: its new activities arrived late, and its lots must be
 * replayed. Activities after `earliest` are counted, and those just recorded (`othersRecorded`, all after
 * it) taken off, so no assumption about positions is made. The others come with the open lots their new
 * activities may take from, per user (in no particular order: FIFO sorts them): as the new activities all
 * come after every lot already opened, sales and outflows of `outflow` in all take from no more than the
 * oldest lots holding that much. A holding that only gains reads none, however many lots it has open (a
 * trader buying every minute would otherwise read every lot of every buy at each fill).
 */
export async function startingPoints(
  q: Queryable,
  starts: readonly FreshStart[],
): Promise<{ late: Holding[]; open: Map<string, Lot[]> }> {
  if (starts.length === 0) return { late: [], open: new Map() };
  const { rows } = await q.query<
    { user_id: string; holding_asset: Asset; late: boolean } & ({ id: null } | LotRow)
  >(
    `SELECT h.user_id, h.asset AS holding_asset, h.late, l.id, l.asset, l.source, l.opened_at, l.open_position,
            l.quantity, l.cost_cents, l.remaining_quantity, l.remaining_cost_cents, l.closed_at
       FROM (SELECT h.user_id, h.asset, h.outflow,
                    (SELECT count(*) FROM portfolio_activities a
                      WHERE a.user_id = h.user_id AND a.asset = h.asset
                        AND (a.occurred_at, a.position) > (h.occurred_at, h.position)) > h.others AS late
               FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::bigint[], $5::int[], $6::numeric[])
                 AS h(user_id, asset, occurred_at, position, others, outflow)) h
       LEFT JOIN LATERAL (
         SELECT o.* FROM (
           SELECT l.*, coalesce(sum(l.remaining_quantity) OVER (ORDER BY l.opened_at, l.open_position, l.id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
             FROM portfolio_lots l
            WHERE h.outflow > 0 AND NOT h.late
              AND l.user_id = h.user_id AND l.asset = h.asset AND l.closed_at IS NULL) o
          WHERE o.before < h.outflow) l ON true`,
    [
      starts.map((s) => s.userId),
      starts.map((s) => s.asset),
      starts.map((s) => s.earliest.occurredAt.toISOString()),
      starts.map((s) => s.earliest.position.toString()),
      starts.map((s) => s.othersRecorded),
      starts.map((s) => s.outflow.toString()),
    ],
  );
  const late: Holding[] = [];
  const lots: Array<[string, Lot]> = [];
  for (const r of rows) {
    if (r.late) late.push({ userId: r.user_id, asset: r.holding_asset });
    else if (r.id !== null) lots.push([r.user_id, lotOf(r as LotRow)]);
  }
  return { late, open: groupByUser(lots) };
}

/** Drops the lots and disposals of the holdings, to replay their activities. */
export async function deleteDerived(q: Queryable, holdings: readonly Holding[]): Promise<void> {
  if (holdings.length === 0) return;
  await q.query(
    `DELETE FROM portfolio_disposals d USING unnest($1::uuid[], $2::text[]) AS h(user_id, asset)
      WHERE d.user_id = h.user_id AND d.asset = h.asset`,
    holdingParams(holdings),
  );
  await q.query(
    `DELETE FROM portfolio_lots l USING unnest($1::uuid[], $2::text[]) AS h(user_id, asset)
      WHERE l.user_id = h.user_id AND l.asset = h.asset`,
    holdingParams(holdings),
  );
}

/** Writes each user's lots in their current state (new ones inserted, known ones updated). */
export async function saveLots(q: Queryable, byUser: ReadonlyMap<string, readonly Lot[]>): Promise<void> {
  const lots = flatten(byUser);
  if (lots.length === 0) return;
  await writeAtCommit(
    q,
    `INSERT INTO portfolio_lots (id, user_id, asset, source, opened_at, open_position, quantity, cost_cents,
       remaining_quantity, remaining_cost_cents, closed_at)
     SELECT l.id, l.user_id, l.asset, l.source, l.opened_at, l.open_position, l.quantity, l.cost_cents,
            l.remaining_quantity, l.remaining_cost_cents, l.closed_at
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[],
                   $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::timestamptz[])
         AS l(id, user_id, asset, source, opened_at, open_position, quantity, cost_cents, remaining_quantity,
              remaining_cost_cents, closed_at)
     ON CONFLICT (id) DO UPDATE SET remaining_quantity = EXCLUDED.remaining_quantity,
       remaining_cost_cents = EXCLUDED.remaining_cost_cents, closed_at = EXCLUDED.closed_at`,
    [
      lots.map(([, l]) => l.id),
      lots.map(([userId]) => userId),
      lots.map(([, l]) => l.asset),
      lots.map(([, l]) => l.source),
      lots.map(([, l]) => l.openedAt.toISOString()),
      lots.map(([, l]) => l.openPosition.toString()),
      lots.map(([, l]) => l.quantity.toString()),
      lots.map(([, l]) => l.cost.toString()),
      lots.map(([, l]) => l.remainingQuantity.toString()),
      lots.map(([, l]) => l.remainingCost.toString()),
      lots.map(([, l]) => (l.closedAt === null ? null : l.closedAt.toISOString())),
    ],
  );
}

/** Writes what each user's sales and outflows took from the lots. */
export async function insertDisposals(
  q: Queryable,
  byUser: ReadonlyMap<string, readonly Disposal[]>,
): Promise<void> {
  const disposals = flatten(byUser);
  if (disposals.length === 0) return;
  const nullable = (v: bigint | null) => (v === null ? null : v.toString());
  await writeAtCommit(
    q,
    `INSERT INTO portfolio_disposals (id, user_id, asset, activity_id, lot_id, kind, disposed_at, position,
       part, quantity, cost_cents, proceeds_cents)
     SELECT gen_random_uuid(), d.user_id, d.asset, d.activity_id, d.lot_id, d.kind, d.disposed_at, d.position,
            d.part, d.quantity, d.cost_cents, d.proceeds_cents
       FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::bigint[],
                   $8::int[], $9::numeric[], $10::numeric[], $11::numeric[])
         AS d(user_id, asset, activity_id, lot_id, kind, disposed_at, position, part, quantity, cost_cents,
              proceeds_cents)`,
    [
      disposals.map(([userId]) => userId),
      disposals.map(([, d]) => d.asset),
      disposals.map(([, d]) => d.activityId),
      disposals.map(([, d]) => d.lotId),
      disposals.map(([, d]) => d.kind),
      disposals.map(([, d]) => d.disposedAt.toISOString()),
      disposals.map(([, d]) => d.position.toString()),
      disposals.map(([, d]) => d.part),
      disposals.map(([, d]) => d.quantity.toString()),
      disposals.map(([, d]) => nullable(d.cost)),
      disposals.map(([, d]) => nullable(d.proceeds)),
    ],
  );
}
