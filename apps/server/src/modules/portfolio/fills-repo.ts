import { type Queryable, writeAtCommit } from "../../platform/db/index.js";

/** The SQL of trading fills already recorded: each order's cumulative figures at that point. */

export interface OrderProgress {
  filledBase: bigint;
  quoteTotal: bigint;
}

/**
 * The cumulative figures already recorded of each of `orderIds` (absent: none yet), locked until the
 * transaction ends. Callers hold the owners' book locks first; the rows are still taken in id order.
 */
export async function lockProgress(
  q: Queryable,
  orderIds: Iterable<string>,
): Promise<Map<string, OrderProgress>> {
  const ids = [...new Set(orderIds)].sort();
  if (ids.length === 0) return new Map();
  const { rows } = await q.query<{ order_id: string; filled_base: string; quote_total: string }>(
    `SELECT order_id, filled_base, quote_total FROM portfolio_order_progress
      WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE`,
    [ids],
  );
  return new Map(
    rows.map((r) => [r.order_id, { filledBase: BigInt(r.filled_base), quoteTotal: BigInt(r.quote_total) }]),
  );
}

/** Records each order's cumulative figures as recorded (one entry per order). */
export async function saveProgress(
  q: Queryable,
  progress: ReadonlyMap<string, OrderProgress & { userId: string }>,
): Promise<void> {
  if (progress.size === 0) return;
  const list = [...progress];
  await writeAtCommit(
    q,
    `INSERT INTO portfolio_order_progress (order_id, user_id, filled_base, quote_total)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::numeric[], $4::numeric[])
     ON CONFLICT (order_id) DO UPDATE SET filled_base = EXCLUDED.filled_base, quote_total = EXCLUDED.quote_total,
       updated_at = now()`,
    [
      list.map(([orderId]) => orderId),
      list.map(([, p]) => p.userId),
      list.map(([, p]) => p.filledBase.toString()),
      list.map(([, p]) => p.quoteTotal.toString()),
    ],
  );
}
