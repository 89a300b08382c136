import type { Asset } from "@softchat/contracts";
import type { Queryable } from "../../platform/db/index.js";
import type { Lot } from "./fifo.js";
import { lotOf } from "./lots-repo.js";

/** Read-side SQL of the portfolio: sums per asset, the realized gains of a year, the lot history. */

/** Per asset: what the open lots hold and cost, and the gain realized by sales so far. */
export interface LotSums {
  asset: Asset;
  lotQuantity: bigint;
  lotCost: bigint;
  realized: bigint;
}

/** Per asset: what the user's open lots hold and cost, and the gains realized by sales. */
export async function lotSums(q: Queryable, userId: string): Promise<LotSums[]> {
  return (await lotSumsOfUsers(q, [userId])).get(userId) ?? [];
}

/** `lotSums` of several users in one statement, by user id. */
export async function lotSumsOfUsers(
  q: Queryable,
  userIds: readonly string[],
): Promise<Map<string, LotSums[]>> {
  const out = new Map<string, LotSums[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return out;
  const { rows } = await q.query<{
    user_id: string;
    asset: Asset;
    quantity: string;
    cost: string;
    realized: string;
  }>(
    `SELECT user_id, asset, sum(quantity)::text AS quantity, sum(cost)::text AS cost,
            sum(realized)::text AS realized
       FROM (
         SELECT user_id, asset, remaining_quantity AS quantity, remaining_cost_cents AS cost, 0 AS realized
           FROM portfolio_lots WHERE user_id = ANY($1::uuid[]) AND closed_at IS NULL
         UNION ALL
         SELECT user_id, asset, 0, 0, proceeds_cents - cost_cents
           FROM portfolio_disposals
          WHERE user_id = ANY($1::uuid[]) AND kind = 'sale' AND cost_cents IS NOT NULL
       ) s
      GROUP BY user_id, asset`,
    [userIds],
  );
  for (const r of rows) {
    out.get(r.user_id)?.push({
      asset: r.asset,
      lotQuantity: BigInt(r.quantity),
      lotCost: BigInt(r.cost),
      realized: BigInt(r.realized),
    });
  }
  return out;
}

/** One sale of part of a lot, with the lot's opening date. */
export interface SaleRow {
  asset: Asset;
  lotId: string | null;
  openedAt: Date | null;
  disposedAt: Date;
  position: string;
  part: number;
  quantity: bigint;
  cost: bigint | null;
  proceeds: bigint;
}

/** Sales between `from` (inclusive) and `to` (exclusive), oldest first, after the keyset `after`. */
export async function salesBetween(
  q: Queryable,
  userId: string,
  range: { from: Date; to: Date },
  page: { after: { disposedAt: string; position: string; part: number } | null; limit: number },
): Promise<SaleRow[]> {
  const after = page.after;
  const { rows } = await q.query<{
    asset: Asset;
    lot_id: string | null;
    opened_at: Date | string | null;
    disposed_at: Date | string;
    position: string;
    part: number;
    quantity: string;
    cost_cents: string | null;
    proceeds_cents: string;
  }>(
    `SELECT d.asset, d.lot_id, l.opened_at, d.disposed_at, d.position::text AS position, d.part, d.quantity,
            d.cost_cents, d.proceeds_cents
       FROM portfolio_disposals d LEFT JOIN portfolio_lots l ON l.id = d.lot_id
      WHERE d.user_id = $1 AND d.kind = 'sale' AND d.disposed_at >= $2 AND d.disposed_at < $3
        AND ($4::timestamptz IS NULL OR (d.disposed_at, d.position, d.part) > ($4::timestamptz, $5::bigint, $6::int))
      ORDER BY d.disposed_at, d.position, d.part
      LIMIT $7`,
    [
      userId,
      range.from,
      range.to,
      after?.disposedAt ?? null,
      after?.position ?? null,
      after?.part ?? null,
      page.limit,
    ],
  );
  return rows.map((r) => ({
    asset: r.asset,
    lotId: r.lot_id,
    openedAt: r.opened_at === null ? null : new Date(r.opened_at),
    disposedAt: new Date(r.disposed_at),
    position: r.position,
    part: Number(r.part),
    quantity: BigInt(r.quantity),
    cost: r.cost_cents === null ? null : BigInt(r.cost_cents),
    proceeds: BigInt(r.proceeds_cents),
  }));
}

/** Per asset over a period: quantity sold, proceeds and cost of the known-cost part, proceeds of the rest. */
export interface SaleSums {
  asset: Asset;
  quantity: bigint;
  proceeds: bigint;
  cost: bigint;
  unknownCostProceeds: bigint;
}

/** Sales of a period summed per asset. */
export async function saleSums(
  q: Queryable,
  userId: string,
  range: { from: Date; to: Date },
): Promise<SaleSums[]> {
  const { rows } = await q.query<{
    asset: Asset;
    quantity: string;
    proceeds: string;
    cost: string;
    unknown: string;
  }>(
    `SELECT asset, sum(quantity)::text AS quantity,
            coalesce(sum(proceeds_cents) FILTER (WHERE cost_cents IS NOT NULL), 0)::text AS proceeds,
            coalesce(sum(cost_cents), 0)::text AS cost,
            coalesce(sum(proceeds_cents) FILTER (WHERE cost_cents IS NULL), 0)::text AS unknown
       FROM portfolio_disposals
      WHERE user_id = $1 AND kind = 'sale' AND disposed_at >= $2 AND disposed_at < $3
      GROUP BY asset ORDER BY asset`,
    [userId, range.from, range.to],
  );
  return rows.map((r) => ({
    asset: r.asset,
    quantity: BigInt(r.quantity),
    proceeds: BigInt(r.proceeds),
    cost: BigInt(r.cost),
    unknownCostProceeds: BigInt(r.unknown),
  }));
}

/** The user's lots, newest first, filtered by asset and open/closed, after the keyset `after`. */
export async function lotHistory(
  q: Queryable,
  userId: string,
  filter: { asset?: string; status: "open" | "closed" | "all" },
  page: { after: { openedAt: string; id: string } | null; limit: number },
): Promise<Lot[]> {
  const { rows } = await q.query<Parameters<typeof lotOf>[0]>(
    `SELECT id, asset, source, opened_at, open_position, quantity, cost_cents, remaining_quantity,
            remaining_cost_cents, closed_at
       FROM portfolio_lots
      WHERE user_id = $1 AND ($2::text IS NULL OR asset = $2)
        AND ($3 = 'all' OR ($3 = 'open') = (closed_at IS NULL))
        AND ($4::timestamptz IS NULL OR (opened_at, id) < ($4::timestamptz, $5::uuid))
      ORDER BY opened_at DESC, id DESC
      LIMIT $6`,
    [
      userId,
      filter.asset ?? null,
      filter.status,
      page.after?.openedAt ?? null,
      page.after?.id ?? null,
      page.limit,
    ],
  );
  return rows.map(lotOf);
}
