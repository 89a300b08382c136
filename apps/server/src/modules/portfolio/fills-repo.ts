import type { Queryable } from "../../platform/db/index.js";

/** The SQL of order fills on their way into the portfolio: the watch list and what was recorded so far. */

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

export async function saveProgress(q: Queryable, orderId: string, userId: string, p: OrderProgress): Promise<void> {
  await q.query(
    `INSERT INTO portfolio_order_progress (order_id, user_id, filled_base, quote_total) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_id) DO UPDATE SET filled_base = EXCLUDED.filled_base, quote_total = EXCLUDED.quote_total,
       updated_at = now()`,
    [orderId, userId, p.filledBase, p.quoteTotal],
  );
}

/** Puts orders on the watch list; one already there is noticed again (its worker will not drop it). */
export async function watchOrders(q: Queryable, orders: { orderId: string; userId: string }[]): Promise<void> {
  if (orders.length === 0) return;
  await q.query(
    `INSERT INTO portfolio_order_watch (order_id, user_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[])
     ON CONFLICT (order_id) DO UPDATE SET noticed_at = clock_timestamp(), attempts = 0, retry_at = NULL`,
    [orders.map((o) => o.orderId), orders.map((o) => o.userId)],
  );
}

export interface WatchedOrder {
  orderId: string;
  userId: string;
  /** Exactly as stored, to drop the row only if nobody noticed the order again meanwhile. */
  noticedAt: string;
}

/** Watched orders due for a try, oldest first. */
export async function dueOrders(q: Queryable, limit: number): Promise<WatchedOrder[]> {
  const { rows } = await q.query<{ order_id: string; user_id: string; noticed_at: string }>(
    `SELECT order_id, user_id, noticed_at::text AS noticed_at FROM portfolio_order_watch
      WHERE retry_at IS NULL OR retry_at <= now()
      ORDER BY noticed_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ orderId: r.order_id, userId: r.user_id, noticedAt: r.noticed_at }));
}

export async function unwatch(q: Queryable, order: WatchedOrder): Promise<void> {
  await q.query("DELETE FROM portfolio_order_watch WHERE order_id = $1 AND noticed_at = $2::timestamptz", [
    order.orderId,
    order.noticedAt,
  ]);
}

/** Counts a failed try; the order is tried again after a delay that doubles each time (capped at a minute). */
export async function deferOrder(q: Queryable, orderId: string, baseMs: number): Promise<void> {
  await q.query(
    `UPDATE portfolio_order_watch SET attempts = attempts + 1,
       retry_at = now() + (least($2::bigint * power(2, least(attempts, 10))::bigint, 60000) * interval '1 millisecond')
     WHERE order_id = $1`,
    [orderId, baseMs],
  );
}
