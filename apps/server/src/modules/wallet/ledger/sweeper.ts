import { randomUUID } from "node:crypto";
import { recordAudit, SYSTEM_ACTOR } from "../../../platform/audit/index.js";
import type { AppContext } from "../../../platform/context.js";
import { startPeriodic } from "../../../platform/periodic.js";
import { HOLD_EXPIRED_TOPIC } from "../events.js";
import type { LedgerBatcher } from "./batcher.js";
import { expiredHoldIds } from "./repo.js";

const SWEEP_BATCH = 500;

/**
 * Voids expired holds every `intervalMs`, on one node at a time (`wallet:hold-sweeper` lock), through the
 * batcher like any other operation; each expiry is published on `wallet.hold_expired` for the module that
 * placed the hold. Stops on shutdown. Returns a function that sweeps once now (tests, benchmarks).
 */
export function startHoldSweeper(
  ctx: Pick<AppContext, "db" | "outbox" | "logger" | "onShutdown">,
  batcher: LedgerBatcher,
  intervalMs: number,
): () => Promise<number> {
  const sweeper = startPeriodic({
    name: "hold sweep",
    intervalMs,
    logger: ctx.logger,
    run: (signal) => sweepExpiredHolds(ctx, batcher, signal),
  });
  ctx.onShutdown(() => sweeper.stop());
  return () => sweepExpiredHolds(ctx, batcher, sweeper.signal);
}

/** Voids every expired hold, a batch at a time, until none is left or `signal` aborts. */
function sweepExpiredHolds(
  ctx: Pick<AppContext, "db" | "outbox">,
  batcher: LedgerBatcher,
  signal: AbortSignal,
): Promise<number> {
  return ctx.db.withLock("wallet:hold-sweeper", async (session) => {
    let total = 0;
    for (;;) {
      const ids = await expiredHoldIds(session, SWEEP_BATCH);
      const results = await Promise.allSettled(
        ids.map((holdId) =>
          batcher.submit({
            op: { type: "void", operationId: randomUUID(), holdId, expired: true },
            finish: async (tx, applied) => {
              const kind = applied.transfers[0]?.kind;
              await recordAudit(tx, {
                ...SYSTEM_ACTOR,
                action: "wallet.hold.expired",
                subjectType: "hold",
                subjectId: holdId,
                after: { status: "expired", kind },
              });
              await ctx.outbox.publish(tx, HOLD_EXPIRED_TOPIC, { holdId, kind });
            },
          }),
        ),
      );
      total += results.filter((r) => r.status === "fulfilled").length;
      if (ids.length < SWEEP_BATCH || signal.aborted) return total;
    }
  });
}
