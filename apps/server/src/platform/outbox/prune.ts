import type { AppContext } from "../context.js";
import type { Queryable } from "../db/index.js";
import { startLockedCleanup } from "../periodic.js";

/** Rows deleted per statement, so one prune never holds a long transaction over a big table. */
const PRUNE_BATCH = 5000;

/**
 * Deletes the events delivered (or given up, which also sets `delivered_at`) more than `retentionHours`
 * ago, oldest first, `batch` rows per statement; events not yet delivered are kept however old. Returns
 * how many went. Ids rise with time, so the oldest rows are found by walking the primary key.
 */
export async function pruneDeliveredEvents(
  q: Queryable,
  retentionHours: number,
  batch = PRUNE_BATCH,
  signal?: AbortSignal,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await q.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
          WHERE delivered_at IS NOT NULL AND delivered_at < now() - ($1::int * interval '1 hour')
          ORDER BY id LIMIT $2)`,
      [retentionHours, batch],
    );
    total += rowCount;
    if (rowCount < batch || signal?.aborted) return total;
  }
}

/**
 * Keeps the outbox bounded: every `intervalMs`, on one node at a time, deletes the events delivered more
 * than `retentionHours` ago (they have done their work; nothing reads them back). Stops on shutdown.
 */
export function startOutboxPrune(
  ctx: Pick<AppContext, "db" | "logger" | "onShutdown">,
  retentionHours: number,
  intervalMs = 3_600_000,
): void {
  startLockedCleanup(ctx, {
    name: "outbox prune",
    lockKey: "outbox:prune",
    intervalMs,
    run: (session, signal) => pruneDeliveredEvents(session, retentionHours, PRUNE_BATCH, signal),
  });
}
