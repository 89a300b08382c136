import type { Queryable } from "../../../platform/db/index.js";

/**
 * The SQL of the engines' journal: the per-pair state row (epoch and last command number) and the
 * commands waiting in `trading_orders`.
 */

/** A command an engine has yet to process: an order to place, or a cancel request. */
export interface PendingCommand {
  kind: "place" | "cancel";
  orderId: string;
}

/** Makes sure the pair has its state row. */
export async function ensurePairState(q: Queryable, pairId: string): Promise<void> {
  await q.query("INSERT INTO trading_pair_state (pair_id) VALUES ($1) ON CONFLICT (pair_id) DO NOTHING", [
    pairId,
  ]);
}

/**
 * Starts a new epoch for the pair's engine on the node `holder`: from now on a transaction of an older
 * epoch is refused. Waits for a transaction of the former holder still in flight (it holds the row lock),
 * so what that one commits is part of the book the new holder rebuilds.
 */
export async function beginEpoch(
  q: Queryable,
  pairId: string,
  holder: string,
): Promise<{ epoch: string; lastSeq: string }> {
  const { rows } = await q.query<{ epoch: string; last_seq: string }>(
    `UPDATE trading_pair_state SET epoch = epoch + 1, holder = $2, acquired_at = now()
      WHERE pair_id = $1 RETURNING epoch, last_seq`,
    [pairId, holder],
  );
  const row = rows[0];
  if (!row) throw new Error(`no state row for pair ${pairId}`);
  return { epoch: row.epoch, lastSeq: row.last_seq };
}

/**
 * Moves the pair's last command number from `from` to `to` for a batch, and locks the pair's state until
 * the commit (engine transactions of a pair run one at a time). False when `epoch` is no longer current
 * (another node has taken over) or the number moved meanwhile: the batch must not commit.
 */
export async function advanceSeq(
  q: Queryable,
  pairId: string,
  epoch: string,
  from: bigint,
  to: bigint,
): Promise<boolean> {
  const { rowCount } = await q.query(
    "UPDATE trading_pair_state SET last_seq = $4 WHERE pair_id = $1 AND epoch = $2 AND last_seq = $3",
    [pairId, epoch, from.toString(), to.toString()],
  );
  return rowCount === 1;
}

/** The next commands of a pair in intake order, leaving out parked ones and those waiting for a retry. */
export async function pendingCommands(
  q: Queryable,
  pairId: string,
  limit: number,
): Promise<PendingCommand[]> {
  const { rows } = await q.query<{ kind: "place" | "cancel"; order_id: string }>(
    `SELECT kind, order_id FROM (
       SELECT 'place' AS kind, id AS order_id, intake_seq AS k FROM trading_orders
        WHERE pair_id = $1 AND status = 'new' AND seq IS NULL AND parked_at IS NULL
          AND (retry_at IS NULL OR retry_at <= now())
       UNION ALL
       SELECT 'cancel', id, cancel_intake_seq FROM trading_orders
        WHERE pair_id = $1 AND cancel_intake_seq IS NOT NULL AND cancel_seq IS NULL AND parked_at IS NULL
          AND (retry_at IS NULL OR retry_at <= now())
     ) c ORDER BY k LIMIT $2`,
    [pairId, limit],
  );
  return rows.map((r) => ({ kind: r.kind, orderId: r.order_id }));
}

/** Whether a command of the pair waiting to be processed has failed before (a former holder's, say). */
export async function hasFailedCommands(q: Queryable, pairId: string): Promise<boolean> {
  const { rows } = await q.query<{ failed: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM trading_orders
        WHERE pair_id = $1 AND attempts > 0
          AND ((status = 'new' AND seq IS NULL) OR (cancel_intake_seq IS NOT NULL AND cancel_seq IS NULL))
     ) AS failed`,
    [pairId],
  );
  return rows[0]?.failed === true;
}

/** Which of the pairs have commands waiting to be processed now (see `pendingCommands`). */
export async function pairsWithPendingCommands(q: Queryable, pairIds: readonly string[]): Promise<string[]> {
  const { rows } = await q.query<{ pair_id: string }>(
    `SELECT pair_id FROM trading_orders
      WHERE pair_id = ANY($1::text[]) AND status = 'new' AND seq IS NULL AND parked_at IS NULL
        AND (retry_at IS NULL OR retry_at <= now())
     UNION
     SELECT pair_id FROM trading_orders
      WHERE pair_id = ANY($1::text[]) AND cancel_intake_seq IS NOT NULL AND cancel_seq IS NULL
        AND parked_at IS NULL AND (retry_at IS NULL OR retry_at <= now())`,
    [pairIds],
  );
  return rows.map((r) => r.pair_id);
}

/**
 * Counts a failed try of an order's command: it is retried after `backoffMs · 2^(tries-1)`, and parked
 * (left out of processing, funds still held) after `maxAttempts` tries. Returns true when parked.
 */
export async function recordFailure(
  q: Queryable,
  orderId: string,
  error: string,
  maxAttempts: number,
  backoffMs: number,
): Promise<boolean> {
  const { rows } = await q.query<{ parked: boolean }>(
    `UPDATE trading_orders
        SET attempts = attempts + 1, last_error = $2,
            parked_at = CASE WHEN attempts + 1 >= $3 THEN now() ELSE NULL END,
            retry_at = now() + (($4::bigint * power(2, attempts)::bigint) * interval '1 millisecond')
      WHERE id = $1 RETURNING parked_at IS NOT NULL AS parked`,
    [orderId, error.slice(0, 1000), maxAttempts, backoffMs],
  );
  return rows[0]?.parked === true;
}

/** Those of `commands` still waiting after failing at least once, with their last error. */
export async function failingCommands(
  q: Queryable,
  commands: readonly PendingCommand[],
): Promise<Array<PendingCommand & { lastError: string | null }>> {
  if (commands.length === 0) return [];
  const { rows } = await q.query<{ kind: "place" | "cancel"; order_id: string; last_error: string | null }>(
    `SELECT c.kind, o.id AS order_id, o.last_error
       FROM unnest($1::uuid[], $2::text[]) AS c(order_id, kind)
       JOIN trading_orders o ON o.id = c.order_id
      WHERE o.attempts > 0
        AND (CASE WHEN c.kind = 'place' THEN o.status = 'new' AND o.seq IS NULL
                  ELSE o.cancel_intake_seq IS NOT NULL AND o.cancel_seq IS NULL END)`,
    [commands.map((c) => c.orderId), commands.map((c) => c.kind)],
  );
  return rows.map((r) => ({ kind: r.kind, orderId: r.order_id, lastError: r.last_error }));
}

/** A trade row, in engine units. */
export interface TradeInsert {
  id: string;
  pairId: string;
  seq: bigint;
  fillIndex: number;
  priceTicks: number;
  quantityLots: number;
  takerSide: "buy" | "sell";
  makerOrderId: string;
  takerOrderId: string;
}

export async function insertTrades(q: Queryable, trades: TradeInsert[]): Promise<Date | null> {
  if (trades.length === 0) return null;
  const { rows } = await q.query<{ created_at: Date | string }>(
    `INSERT INTO trading_trades (id, pair_id, seq, fill_index, price_ticks, quantity_lots, taker_side,
       maker_order_id, taker_order_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::int[], $5::bigint[], $6::bigint[],
       $7::text[], $8::uuid[], $9::uuid[])
     RETURNING created_at`,
    [
      trades.map((t) => t.id),
      trades.map((t) => t.pairId),
      trades.map((t) => t.seq.toString()),
      trades.map((t) => t.fillIndex),
      trades.map((t) => t.priceTicks),
      trades.map((t) => t.quantityLots),
      trades.map((t) => t.takerSide),
      trades.map((t) => t.makerOrderId),
      trades.map((t) => t.takerOrderId),
    ],
  );
  const at = rows[0]?.created_at;
  return at === undefined ? null : new Date(at);
}
