import type { Queryable } from "../../platform/db/index.js";

/** The SQL of trading fills already recorded: each order's cumulative figures at that point. */

export interface OrderProgress {
  filledBase: bigint;
  quoteTotal: bigint;
}

/** The order's cumulative figures already recorded (zero when none), locked until the transaction ends. */
export async function lockProgress(q: Queryable, orderId: string): Promise<OrderProgress> {
  const { rows } = await q.query<{ filled_base: string; quote_total: string }>(
    "SELECT filled_base, quote_total FROM portfolio_order_progress WHERE order_id = $1 FOR UPDATE",
    [orderId],
  );
  const row = rows[0];
  return row
    ? { filledBase: BigInt(row.filled_base), quoteTotal: BigInt(row.quote_total) }
    : { filledBase: 0n, quoteTotal: 0n };
}

/** Records the order's cumulative figures as recorded. */
export async function saveProgress(
  q: Queryable,
  orderId: string,
  userId: string,
  p: OrderProgress,
): Promise<void> {
  await q.query(
    `INSERT INTO portfolio_order_progress (order_id, user_id, filled_base, quote_total) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_id) DO UPDATE SET filled_base = EXCLUDED.filled_base, quote_total = EXCLUDED.quote_total,
       updated_at = now()`,
    [orderId, userId, p.filledBase, p.quoteTotal],
  );
}
